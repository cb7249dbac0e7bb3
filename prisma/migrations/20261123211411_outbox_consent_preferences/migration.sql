-- CreateTable
CREATE TABLE "outbox" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "sender" TEXT,
    "recipient" TEXT NOT NULL,
    "subject" TEXT,
    "body_text" TEXT,
    "body_html" TEXT,
    "status" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "consent_preferences" (
    "shop_id" INTEGER NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "purpose" "MessagePurpose" NOT NULL,
    "subscribed" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_preferences_pkey" PRIMARY KEY ("shop_id","customer_id","channel","purpose")
);

-- CreateIndex
CREATE INDEX "outbox_shop_id_received_at_idx" ON "outbox"("shop_id", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_shop_id_provider_provider_message_id_key" ON "outbox"("shop_id", "provider", "provider_message_id");

