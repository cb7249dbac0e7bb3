-- CreateTable
CREATE TABLE "media_files" (
    "shop_id" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "ext" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "original_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "media_files_pkey" PRIMARY KEY ("shop_id","sha256")
);

-- CreateIndex
CREATE INDEX "media_files_sha256_idx" ON "media_files"("sha256");

