-- AlterTable
ALTER TABLE "outbox" ADD COLUMN     "customer_id" BIGINT;

