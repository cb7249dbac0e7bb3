-- DropIndex
DROP INDEX "customer_scores_shop_id_p_alive_idx";

-- DropIndex
DROP INDEX "customer_scores_shop_id_clv_idx";

-- DropIndex
DROP INDEX "customer_scores_shop_id_last_order_at_idx";

