-- A per-product version of the stock counters that only grows: every transaction that moves
-- quantity, reserved or sold adds 1 in the same UPDATE, under the row lock. Pushed stock levels
-- carry it, so a receiver keeps the newest level and ignores an older one that arrives late.
ALTER TABLE product_details
  ADD COLUMN stock_version BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER sold;
