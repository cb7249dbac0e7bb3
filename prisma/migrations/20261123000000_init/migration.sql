-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('shopify', 'woocommerce', 'csv');

-- CreateEnum
CREATE TYPE "OrganisationKind" AS ENUM ('merchant', 'agency');

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('owner', 'admin', 'marketer', 'analyst', 'read_only');

-- CreateEnum
CREATE TYPE "ShopStatus" AS ENUM ('installed', 'uninstalled');

-- CreateEnum
CREATE TYPE "ConsentState" AS ENUM ('subscribed', 'unsubscribed', 'pending', 'not_subscribed', 'unknown');

-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('queued', 'running', 'paused', 'cancelled', 'failed', 'succeeded');

-- CreateTable
CREATE TABLE "organisations" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "OrganisationKind" NOT NULL DEFAULT 'merchant',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organisations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_users" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "organisation_id" INTEGER NOT NULL,
    "staff_user_id" INTEGER NOT NULL,
    "role" "StaffRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("organisation_id","staff_user_id")
);

-- CreateTable
CREATE TABLE "shops" (
    "id" SERIAL NOT NULL,
    "organisation_id" INTEGER,
    "domain" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "name" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "plan" TEXT,
    "status" "ShopStatus" NOT NULL DEFAULT 'installed',
    "installed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalled_at" TIMESTAMPTZ(3),
    "last_import_at" TIMESTAMPTZ(3),
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "shops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "is_online" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMPTZ(3),
    "access_token" TEXT NOT NULL,
    "user_id" BIGINT,
    "first_name" TEXT,
    "last_name" TEXT,
    "email" TEXT,
    "account_owner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "email_verified" BOOLEAN DEFAULT false,
    "refresh_token" TEXT,
    "refresh_token_expires" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "email" TEXT,
    "email_available" BOOLEAN NOT NULL DEFAULT true,
    "phone" TEXT,
    "phone_available" BOOLEAN NOT NULL DEFAULT true,
    "first_name" TEXT,
    "last_name" TEXT,
    "country" CHAR(2),
    "province" TEXT,
    "city" TEXT,
    "zip" TEXT,
    "address1" TEXT,
    "timezone" TEXT,
    "locale" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "email_consent" "ConsentState" NOT NULL DEFAULT 'unknown',
    "email_consent_at" TIMESTAMPTZ(3),
    "email_consent_source" TEXT,
    "sms_consent" "ConsentState" NOT NULL DEFAULT 'unknown',
    "sms_consent_at" TIMESTAMPTZ(3),
    "sms_consent_source" TEXT,
    "source_created_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "merged_into_id" BIGINT,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "customer_identities" (
    "shop_id" INTEGER NOT NULL,
    "source" "Platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "source_updated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_identities_pkey" PRIMARY KEY ("shop_id","source","external_id")
);

-- CreateTable
CREATE TABLE "orders" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "source" "Platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "customer_id" BIGINT,
    "name" TEXT,
    "processed_at" TIMESTAMPTZ(3) NOT NULL,
    "source_timezone" TEXT,
    "currency" CHAR(3) NOT NULL,
    "subtotal" BIGINT NOT NULL DEFAULT 0,
    "discounts" BIGINT NOT NULL DEFAULT 0,
    "shipping" BIGINT NOT NULL DEFAULT 0,
    "tax" BIGINT NOT NULL DEFAULT 0,
    "total" BIGINT NOT NULL DEFAULT 0,
    "refunded" BIGINT NOT NULL DEFAULT 0,
    "discount_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "financial_status" TEXT,
    "cancelled_at" TIMESTAMPTZ(3),
    "source_name" TEXT,
    "source_updated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "order_lines" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "order_id" BIGINT NOT NULL,
    "external_id" TEXT,
    "product_id" TEXT,
    "variant_id" TEXT,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "vendor" TEXT,
    "quantity" INTEGER NOT NULL,
    "price" BIGINT NOT NULL,
    "discount" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "products" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "source" "Platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "vendor" TEXT,
    "product_type" TEXT,
    "collections" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "unit_cost" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "events" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "customer_id" BIGINT,
    "name" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "source" TEXT NOT NULL DEFAULT 'winback',
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "customer_scores" (
    "shop_id" INTEGER NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "recency_score" SMALLINT,
    "frequency_score" SMALLINT,
    "monetary_score" SMALLINT,
    "rfm_group" TEXT,
    "order_count" INTEGER NOT NULL DEFAULT 0,
    "total_spent" BIGINT NOT NULL DEFAULT 0,
    "first_order_at" TIMESTAMPTZ(3),
    "last_order_at" TIMESTAMPTZ(3),
    "expected_gap_days" DOUBLE PRECISION,
    "days_overdue" DOUBLE PRECISION,
    "dormant" BOOLEAN NOT NULL DEFAULT false,
    "stage" TEXT,
    "stage_since" TIMESTAMPTZ(3),
    "p_alive" DOUBLE PRECISION,
    "expected_purchases" DOUBLE PRECISION,
    "expected_next_order_at" TIMESTAMPTZ(3),
    "clv" BIGINT,
    "cluster_id" INTEGER,
    "confidence" TEXT,
    "scored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_scores_pkey" PRIMARY KEY ("shop_id","customer_id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "shop_domain" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "event_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_requests" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "external_customer_id" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "export" JSONB,

    CONSTRAINT "data_requests_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "import_runs" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "source" "Platform" NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'queued',
    "rows_read" INTEGER NOT NULL DEFAULT 0,
    "rows_written" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "cursor" JSONB,
    "report" JSONB,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "import_runs_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateIndex
CREATE UNIQUE INDEX "staff_users_email_key" ON "staff_users"("email");

-- CreateIndex
CREATE INDEX "memberships_staff_user_id_idx" ON "memberships"("staff_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "shops_domain_key" ON "shops"("domain");

-- CreateIndex
CREATE INDEX "shops_organisation_id_idx" ON "shops"("organisation_id");

-- CreateIndex
CREATE INDEX "sessions_shop_idx" ON "sessions"("shop");

-- CreateIndex
CREATE INDEX "customers_shop_id_email_idx" ON "customers"("shop_id", "email");

-- CreateIndex
CREATE INDEX "customers_shop_id_phone_idx" ON "customers"("shop_id", "phone");

-- CreateIndex
CREATE INDEX "customer_identities_shop_id_customer_id_idx" ON "customer_identities"("shop_id", "customer_id");

-- CreateIndex
CREATE INDEX "orders_shop_id_customer_id_processed_at_idx" ON "orders"("shop_id", "customer_id", "processed_at");

-- CreateIndex
CREATE INDEX "orders_shop_id_processed_at_idx" ON "orders"("shop_id", "processed_at");

-- CreateIndex
CREATE UNIQUE INDEX "orders_shop_id_source_external_id_key" ON "orders"("shop_id", "source", "external_id");

-- CreateIndex
CREATE INDEX "order_lines_shop_id_order_id_idx" ON "order_lines"("shop_id", "order_id");

-- CreateIndex
CREATE INDEX "order_lines_shop_id_product_id_idx" ON "order_lines"("shop_id", "product_id");

-- CreateIndex
CREATE UNIQUE INDEX "products_shop_id_source_external_id_key" ON "products"("shop_id", "source", "external_id");

-- CreateIndex
CREATE INDEX "events_shop_id_customer_id_occurred_at_idx" ON "events"("shop_id", "customer_id", "occurred_at");

-- CreateIndex
CREATE INDEX "events_shop_id_name_occurred_at_idx" ON "events"("shop_id", "name", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "events_shop_id_dedupe_key_key" ON "events"("shop_id", "dedupe_key");

-- CreateIndex
CREATE INDEX "customer_scores_shop_id_stage_idx" ON "customer_scores"("shop_id", "stage");

-- CreateIndex
CREATE INDEX "customer_scores_shop_id_rfm_group_idx" ON "customer_scores"("shop_id", "rfm_group");

-- CreateIndex
CREATE INDEX "audit_log_shop_id_at_idx" ON "audit_log"("shop_id", "at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_processed_at_idx" ON "webhook_deliveries"("processed_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_shop_domain_platform_event_id_key" ON "webhook_deliveries"("shop_domain", "platform", "event_id");

-- CreateIndex
CREATE INDEX "import_runs_shop_id_created_at_idx" ON "import_runs"("shop_id", "created_at");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_staff_user_id_fkey" FOREIGN KEY ("staff_user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shops" ADD CONSTRAINT "shops_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_shop_id_customer_id_fkey" FOREIGN KEY ("shop_id", "customer_id") REFERENCES "customers"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_shop_id_customer_id_fkey" FOREIGN KEY ("shop_id", "customer_id") REFERENCES "customers"("shop_id", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_shop_id_order_id_fkey" FOREIGN KEY ("shop_id", "order_id") REFERENCES "orders"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_shop_id_customer_id_fkey" FOREIGN KEY ("shop_id", "customer_id") REFERENCES "customers"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_scores" ADD CONSTRAINT "customer_scores_shop_id_customer_id_fkey" FOREIGN KEY ("shop_id", "customer_id") REFERENCES "customers"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

