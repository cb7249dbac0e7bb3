-- CreateTable
CREATE TABLE "shopify_segments" (
    "shop_id" INTEGER NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "members_synced_at" TIMESTAMPTZ(3),
    "member_count" INTEGER,
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shopify_segments_pkey" PRIMARY KEY ("shop_id","id")
);

