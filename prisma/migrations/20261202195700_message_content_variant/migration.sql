-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "content_variant" TEXT;

-- CreateIndex
CREATE INDEX "messages_shop_id_content_id_content_variant_idx" ON "messages"("shop_id", "content_id", "content_variant");

