-- CreateEnum
CREATE TYPE "JourneyStatus" AS ENUM ('draft', 'published', 'paused', 'archived');

-- CreateEnum
CREATE TYPE "EnrollmentStatus" AS ENUM ('active', 'waiting', 'completed', 'converted', 'exited');

-- CreateEnum
CREATE TYPE "MessageChannel" AS ENUM ('email', 'sms', 'push');

-- CreateEnum
CREATE TYPE "MessagePurpose" AS ENUM ('promotional', 'informational', 'transactional');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('queued', 'deferred', 'sending', 'sent', 'delivered', 'failed', 'suppressed');

-- CreateEnum
CREATE TYPE "SuppressionReason" AS ENUM ('unsubscribe', 'sms_keyword', 'sms_free_form', 'hard_bounce', 'complaint', 'push_gone', 'manual');

-- CreateEnum
CREATE TYPE "DiscountCodeStatus" AS ENUM ('requested', 'created', 'failed', 'expired', 'used');

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "message_id" BIGINT;

-- CreateTable
CREATE TABLE "segments" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "template_key" TEXT,
    "archived_at" TIMESTAMPTZ(3),
    "refreshed_at" TIMESTAMPTZ(3),
    "member_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "segments_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "segment_memberships" (
    "shop_id" INTEGER NOT NULL,
    "segment_id" BIGINT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "segment_memberships_pkey" PRIMARY KEY ("shop_id","segment_id","customer_id")
);

-- CreateTable
CREATE TABLE "segment_rechecks" (
    "shop_id" INTEGER NOT NULL,
    "segment_id" BIGINT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "segment_rechecks_pkey" PRIMARY KEY ("shop_id","segment_id","customer_id")
);

-- CreateTable
CREATE TABLE "shopify_segment_members" (
    "shop_id" INTEGER NOT NULL,
    "segment_id" TEXT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shopify_segment_members_pkey" PRIMARY KEY ("shop_id","segment_id","customer_id")
);

-- CreateTable
CREATE TABLE "journeys" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "status" "JourneyStatus" NOT NULL DEFAULT 'draft',
    "live_version" INTEGER,
    "draft" JSONB NOT NULL,
    "template_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journeys_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "journey_versions" (
    "shop_id" INTEGER NOT NULL,
    "journey_id" BIGINT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_by" TEXT,

    CONSTRAINT "journey_versions_pkey" PRIMARY KEY ("shop_id","journey_id","version")
);

-- CreateTable
CREATE TABLE "enrollments" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "journey_id" BIGINT NOT NULL,
    "journey_version" INTEGER NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "entry_number" INTEGER NOT NULL DEFAULT 1,
    "status" "EnrollmentStatus" NOT NULL,
    "state" JSONB NOT NULL,
    "wake_at" TIMESTAMPTZ(3),
    "entered_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "lock_version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "enrollments_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "journey_steps" (
    "shop_id" INTEGER NOT NULL,
    "enrollment_id" BIGINT NOT NULL,
    "node_id" TEXT NOT NULL,
    "visit" INTEGER NOT NULL,
    "outcome" TEXT,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "journey_steps_pkey" PRIMARY KEY ("shop_id","enrollment_id","node_id","visit")
);

-- CreateTable
CREATE TABLE "journey_assignments" (
    "shop_id" INTEGER NOT NULL,
    "journey_id" BIGINT NOT NULL,
    "node_id" TEXT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "enrollment_id" BIGINT NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "journey_assignments_pkey" PRIMARY KEY ("shop_id","journey_id","node_id","customer_id")
);

-- CreateTable
CREATE TABLE "message_contents" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "channel" "MessageChannel" NOT NULL,
    "purpose" "MessagePurpose" NOT NULL,
    "body" JSONB NOT NULL,
    "fallback_content_id" BIGINT,
    "template_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "message_contents_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "content_blocks" (
    "shop_id" INTEGER NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "name" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_blocks_pkey" PRIMARY KEY ("shop_id","channel","name")
);

-- CreateTable
CREATE TABLE "messages" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "journey_id" BIGINT,
    "enrollment_id" BIGINT,
    "node_id" TEXT,
    "content_id" BIGINT,
    "channel" "MessageChannel" NOT NULL,
    "purpose" "MessagePurpose" NOT NULL,
    "variant" TEXT,
    "recipient" TEXT,
    "provider" TEXT,
    "provider_message_id" TEXT,
    "status" "MessageStatus" NOT NULL DEFAULT 'queued',
    "reason" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error_kind" TEXT,
    "error_message" TEXT,
    "sms_segments" INTEGER,
    "discount_code" TEXT,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deferred_until" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "shop_id" INTEGER NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "address" TEXT NOT NULL,
    "reason" "SuppressionReason" NOT NULL,
    "source" TEXT NOT NULL,
    "evidence" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("shop_id","channel","address")
);

-- CreateTable
CREATE TABLE "inbound_messages" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "customer_id" BIGINT,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "classification" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbound_messages_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "provider_credentials" (
    "shop_id" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "sealed_secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_credentials_pkey" PRIMARY KEY ("shop_id","provider")
);

-- CreateTable
CREATE TABLE "push_subscriptions" (
    "shop_id" INTEGER NOT NULL,
    "endpoint_hash" TEXT NOT NULL,
    "customer_id" BIGINT,
    "endpoint" TEXT NOT NULL,
    "p256dh" TEXT NOT NULL,
    "auth" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_subscriptions_pkey" PRIMARY KEY ("shop_id","endpoint_hash")
);

-- CreateTable
CREATE TABLE "offers" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "offers_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "discount_codes" (
    "shop_id" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "message_id" BIGINT,
    "customer_id" BIGINT NOT NULL,
    "offer_id" BIGINT NOT NULL,
    "status" "DiscountCodeStatus" NOT NULL DEFAULT 'requested',
    "platform_discount_id" TEXT,
    "error" TEXT,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_order_id" BIGINT,

    CONSTRAINT "discount_codes_pkey" PRIMARY KEY ("shop_id","code")
);

-- CreateTable
CREATE TABLE "attributions" (
    "shop_id" INTEGER NOT NULL,
    "order_id" BIGINT NOT NULL,
    "message_id" BIGINT NOT NULL,
    "basis" TEXT NOT NULL,
    "evidence_at" TIMESTAMPTZ(3) NOT NULL,
    "credited_minor" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attributions_pkey" PRIMARY KEY ("shop_id","order_id")
);

-- CreateTable
CREATE TABLE "bandit_states" (
    "shop_id" INTEGER NOT NULL,
    "segment_key" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bandit_states_pkey" PRIMARY KEY ("shop_id","segment_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "segments_shop_id_template_key_key" ON "segments"("shop_id", "template_key");

-- CreateIndex
CREATE INDEX "segment_memberships_shop_id_customer_id_idx" ON "segment_memberships"("shop_id", "customer_id");

-- CreateIndex
CREATE INDEX "segment_rechecks_due_at_idx" ON "segment_rechecks"("due_at");

-- CreateIndex
CREATE INDEX "shopify_segment_members_shop_id_customer_id_idx" ON "shopify_segment_members"("shop_id", "customer_id");

-- CreateIndex
CREATE INDEX "journeys_shop_id_status_idx" ON "journeys"("shop_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "journeys_shop_id_template_key_key" ON "journeys"("shop_id", "template_key");

-- CreateIndex
CREATE INDEX "enrollments_shop_id_status_wake_at_idx" ON "enrollments"("shop_id", "status", "wake_at");

-- CreateIndex
CREATE INDEX "enrollments_shop_id_customer_id_status_idx" ON "enrollments"("shop_id", "customer_id", "status");

-- CreateIndex
CREATE INDEX "enrollments_wake_at_idx" ON "enrollments"("wake_at");

-- CreateIndex
CREATE UNIQUE INDEX "enrollments_shop_id_journey_id_customer_id_entry_number_key" ON "enrollments"("shop_id", "journey_id", "customer_id", "entry_number");

-- CreateIndex
CREATE UNIQUE INDEX "message_contents_shop_id_name_version_key" ON "message_contents"("shop_id", "name", "version");

-- CreateIndex
CREATE INDEX "messages_shop_id_customer_id_sent_at_idx" ON "messages"("shop_id", "customer_id", "sent_at");

-- CreateIndex
CREATE INDEX "messages_shop_id_journey_id_status_idx" ON "messages"("shop_id", "journey_id", "status");

-- CreateIndex
CREATE INDEX "messages_status_deferred_until_idx" ON "messages"("status", "deferred_until");

-- CreateIndex
CREATE UNIQUE INDEX "messages_shop_id_idempotency_key_key" ON "messages"("shop_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "messages_shop_id_provider_provider_message_id_key" ON "messages"("shop_id", "provider", "provider_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "inbound_messages_shop_id_provider_provider_message_id_key" ON "inbound_messages"("shop_id", "provider", "provider_message_id");

-- CreateIndex
CREATE INDEX "push_subscriptions_shop_id_customer_id_idx" ON "push_subscriptions"("shop_id", "customer_id");

-- CreateIndex
CREATE INDEX "discount_codes_shop_id_message_id_idx" ON "discount_codes"("shop_id", "message_id");

-- CreateIndex
CREATE INDEX "discount_codes_status_expires_at_idx" ON "discount_codes"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "discount_codes_shop_id_idempotency_key_key" ON "discount_codes"("shop_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "attributions_shop_id_message_id_idx" ON "attributions"("shop_id", "message_id");

-- CreateIndex
CREATE INDEX "products_shop_id_external_id_idx" ON "products"("shop_id", "external_id");

-- CreateIndex
CREATE INDEX "events_shop_id_customer_id_name_occurred_at_idx" ON "events"("shop_id", "customer_id", "name", "occurred_at");

-- CreateIndex
CREATE INDEX "events_shop_id_message_id_idx" ON "events"("shop_id", "message_id");

-- AddForeignKey
ALTER TABLE "journey_versions" ADD CONSTRAINT "journey_versions_shop_id_journey_id_fkey" FOREIGN KEY ("shop_id", "journey_id") REFERENCES "journeys"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

