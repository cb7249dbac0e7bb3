-- CreateTable
CREATE TABLE "segment_sizes" (
    "shop_id" INTEGER NOT NULL,
    "segment_id" BIGINT NOT NULL,
    "day" DATE NOT NULL,
    "member_count" INTEGER NOT NULL,

    CONSTRAINT "segment_sizes_pkey" PRIMARY KEY ("shop_id","segment_id","day")
);

