-- AlterTable
ALTER TABLE "customer_scores" ADD COLUMN     "expected_spend" BIGINT,
ADD COLUMN     "reason" TEXT;

-- CreateTable
CREATE TABLE "shop_model_fits" (
    "shop_id" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "bgnbd" JSONB NOT NULL,
    "gamma_gamma" JSONB NOT NULL,
    "confidence" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "clusters" JSONB,
    "shop_median_gap_days" DOUBLE PRECISION NOT NULL,
    "rfm_cuts" JSONB NOT NULL,
    "settings" JSONB NOT NULL,
    "customers" INTEGER NOT NULL,
    "fitted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "shop_model_fits_pkey" PRIMARY KEY ("shop_id")
);

-- CreateTable
CREATE TABLE "scoring_runs" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "customers_scored" INTEGER,
    "parameters" JSONB,
    "log_likelihood" DOUBLE PRECISION,
    "duration_ms" INTEGER,
    "status" TEXT NOT NULL,
    "error" TEXT,

    CONSTRAINT "scoring_runs_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "customer_score_history" (
    "shop_id" INTEGER NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "day" DATE NOT NULL,
    "recency_score" SMALLINT,
    "frequency_score" SMALLINT,
    "monetary_score" SMALLINT,
    "rfm_group" TEXT,
    "stage" TEXT,
    "p_alive" DOUBLE PRECISION,
    "clv" BIGINT,
    "days_overdue" DOUBLE PRECISION,

    CONSTRAINT "customer_score_history_pkey" PRIMARY KEY ("shop_id","customer_id","day")
);

-- CreateIndex
CREATE INDEX "scoring_runs_shop_id_started_at_idx" ON "scoring_runs"("shop_id", "started_at");

-- CreateIndex
CREATE INDEX "customers_shop_id_merged_into_id_idx" ON "customers"("shop_id", "merged_into_id");

-- CreateIndex
CREATE INDEX "customer_scores_shop_id_p_alive_idx" ON "customer_scores"("shop_id", "p_alive");

-- CreateIndex
CREATE INDEX "customer_scores_shop_id_clv_idx" ON "customer_scores"("shop_id", "clv");

-- CreateIndex
CREATE INDEX "customer_scores_shop_id_last_order_at_idx" ON "customer_scores"("shop_id", "last_order_at");
