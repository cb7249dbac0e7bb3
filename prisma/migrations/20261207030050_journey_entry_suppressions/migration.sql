-- CreateTable
CREATE TABLE "journey_entry_suppressions" (
    "shop_id" INTEGER NOT NULL,
    "journey_id" BIGINT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "trigger_key" TEXT NOT NULL,
    "journey_version" INTEGER NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'conflict',
    "reason" TEXT NOT NULL,
    "detail" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journey_entry_suppressions_pkey" PRIMARY KEY ("shop_id","journey_id","customer_id","trigger_key")
);

-- CreateIndex
CREATE INDEX "journey_entry_suppressions_shop_id_journey_id_reason_idx" ON "journey_entry_suppressions"("shop_id", "journey_id", "reason");

