-- CreateTable
CREATE TABLE "store_connections" (
    "shop_id" INTEGER NOT NULL,
    "platform" "Platform" NOT NULL,
    "url" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "sealed_secret" TEXT,
    "webhook_ids" JSONB NOT NULL DEFAULT '[]',
    "exchange_token" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "connected_at" TIMESTAMPTZ(3),

    CONSTRAINT "store_connections_pkey" PRIMARY KEY ("shop_id","platform")
);

-- CreateIndex
CREATE INDEX "store_connections_exchange_token_idx" ON "store_connections"("exchange_token");

