-- Ids compare exactly. utf8mb4_bin is a PAD SPACE collation in MariaDB: 'X' and 'X   ' were equal in
-- every comparison and every unique key, while the code compares them as different, so a product id
-- sent with trailing spaces was stored, found again as 'X' and never matched: one request could
-- break a buyer's cart for good. utf8mb4_nopad_bin compares the bytes, trailing spaces included.
-- Every text column changes with its table (CONVERT TO); no other text column relied on PAD SPACE.
-- Under PAD SPACE no two stored ids could differ only by trailing spaces (their keys would have
-- collided), so no key can collide under NO PAD.
-- MariaDB does not change the collation of a column a foreign key joins (error 1833), so the four
-- foreign keys are dropped first and added back, the same, once both sides are converted. DDL is
-- not transactional: every step is written to be run again if the migration stops half way.
ALTER TABLE order_items      DROP FOREIGN KEY IF EXISTS fk_items_order;
ALTER TABLE reserve_purchase DROP FOREIGN KEY IF EXISTS fk_reserve_order;
ALTER TABLE reserve_purchase DROP FOREIGN KEY IF EXISTS fk_reserve_product;
ALTER TABLE stock_movements  DROP FOREIGN KEY IF EXISTS fk_movements_product;

ALTER TABLE product_details    CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE client_cart        CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE processed_messages CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE orders             CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE order_items        CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE reservations       CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE reserve_purchase   CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE payments           CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE stock_movements    CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

ALTER TABLE order_items      ADD CONSTRAINT fk_items_order FOREIGN KEY IF NOT EXISTS (order_id) REFERENCES orders (order_id);
ALTER TABLE reserve_purchase ADD CONSTRAINT fk_reserve_order FOREIGN KEY IF NOT EXISTS (order_id) REFERENCES reservations (order_id);
ALTER TABLE reserve_purchase ADD CONSTRAINT fk_reserve_product FOREIGN KEY IF NOT EXISTS (product_id) REFERENCES product_details (product_id);
ALTER TABLE stock_movements  ADD CONSTRAINT fk_movements_product FOREIGN KEY IF NOT EXISTS (product_id) REFERENCES product_details (product_id);
