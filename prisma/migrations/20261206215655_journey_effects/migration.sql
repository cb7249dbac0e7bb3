-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "customer_id" BIGINT;

-- CreateTable
CREATE TABLE "journey_effects" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "journey_id" BIGINT,
    "enrollment_id" BIGINT,
    "node_id" TEXT,
    "customer_id" BIGINT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "request" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "response_status" INTEGER,
    "provider_id" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "journey_effects_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateIndex
CREATE INDEX "journey_effects_status_next_attempt_at_idx" ON "journey_effects"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "journey_effects_shop_id_idempotency_key_key" ON "journey_effects"("shop_id", "idempotency_key");

