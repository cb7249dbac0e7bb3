-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "birthday" DATE,
ADD COLUMN     "properties" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "journey_occasions" (
    "shop_id" INTEGER NOT NULL,
    "journey_id" BIGINT NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "occasion" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journey_occasions_pkey" PRIMARY KEY ("shop_id","journey_id","customer_id","occasion")
);

