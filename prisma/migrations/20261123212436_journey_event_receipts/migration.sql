-- CreateTable
CREATE TABLE "journey_event_receipts" (
    "shop_id" INTEGER NOT NULL,
    "event_id" BIGINT NOT NULL,
    "handled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journey_event_receipts_pkey" PRIMARY KEY ("shop_id","event_id")
);

