-- CreateTable
CREATE TABLE "alerts" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL DEFAULT 'warning',
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "journey_pauses" (
    "shop_id" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "target" TEXT NOT NULL DEFAULT '',
    "policy" TEXT NOT NULL DEFAULT 'send_now',
    "paused_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "paused_by" TEXT,

    CONSTRAINT "journey_pauses_pkey" PRIMARY KEY ("shop_id","scope","target")
);

-- CreateIndex
CREATE INDEX "alerts_shop_id_created_at_idx" ON "alerts"("shop_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_shop_id_dedupe_key_key" ON "alerts"("shop_id", "dedupe_key");

