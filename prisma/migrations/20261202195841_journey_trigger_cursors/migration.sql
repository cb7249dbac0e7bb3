-- CreateTable
CREATE TABLE "journey_trigger_cursors" (
    "shop_id" INTEGER NOT NULL,
    "ran_to" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "journey_trigger_cursors_pkey" PRIMARY KEY ("shop_id")
);

