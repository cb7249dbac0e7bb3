-- CreateTable
CREATE TABLE "offer_choices" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "enrollment_id" BIGINT NOT NULL,
    "journey_id" BIGINT NOT NULL,
    "node_id" TEXT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "segment_key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "offer_key" TEXT,
    "offer_row_id" BIGINT,
    "ladder_step" INTEGER,
    "reason" JSONB NOT NULL,
    "code_key" TEXT,
    "message_id" BIGINT,
    "chosen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "offer_choices_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "offer_rewards" (
    "shop_id" INTEGER NOT NULL,
    "order_id" BIGINT NOT NULL,
    "choice_id" BIGINT NOT NULL,
    "segment_key" TEXT NOT NULL,
    "offer_key" TEXT NOT NULL,
    "net_margin" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "rewarded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "offer_rewards_pkey" PRIMARY KEY ("shop_id","order_id")
);

-- CreateIndex
CREATE INDEX "offer_choices_shop_id_enrollment_id_idx" ON "offer_choices"("shop_id", "enrollment_id");

-- CreateIndex
CREATE INDEX "offer_choices_shop_id_message_id_idx" ON "offer_choices"("shop_id", "message_id");

-- CreateIndex
CREATE INDEX "offer_choices_shop_id_chosen_at_idx" ON "offer_choices"("shop_id", "chosen_at");

-- CreateIndex
CREATE UNIQUE INDEX "offer_choices_shop_id_idempotency_key_key" ON "offer_choices"("shop_id", "idempotency_key");

