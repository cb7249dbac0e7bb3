-- CreateTable
CREATE TABLE "order_refunds" (
    "shop_id" INTEGER NOT NULL,
    "source" "Platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "order_external_id" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "refunded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_refunds_pkey" PRIMARY KEY ("shop_id","source","external_id")
);

-- CreateTable
CREATE TABLE "deleted_identities" (
    "shop_id" INTEGER NOT NULL,
    "source" "Platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deleted_identities_pkey" PRIMARY KEY ("shop_id","source","external_id")
);

-- CreateTable
CREATE TABLE "platform_discounts" (
    "shop_id" INTEGER NOT NULL,
    "platform" "Platform" NOT NULL,
    "offer_id" BIGINT NOT NULL,
    "expires_on" DATE NOT NULL,
    "base_code" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'requested',
    "platform_discount_id" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "platform_discounts_pkey" PRIMARY KEY ("shop_id","platform","offer_id","expires_on")
);

-- CreateIndex
CREATE INDEX "order_refunds_shop_id_source_order_external_id_idx" ON "order_refunds"("shop_id", "source", "order_external_id");

-- CreateIndex
CREATE INDEX "platform_discounts_status_expires_at_idx" ON "platform_discounts"("status", "expires_at");

