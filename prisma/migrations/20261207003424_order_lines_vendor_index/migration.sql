-- CreateIndex
CREATE INDEX "order_lines_shop_id_vendor_idx" ON "order_lines"("shop_id", "vendor");

