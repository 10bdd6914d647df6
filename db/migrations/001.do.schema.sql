-- Flash-sale schema. Money is integer cents; times are UTC DATETIME(6).
-- Ownership: product_details, reservations, reserve_purchase and stock_movements
-- are written only by the inventory manager; client_cart and processed_messages
-- by the cart manager; orders/order_items are created by the cart manager and
-- moved to a final state by the checkout manager, which also owns payments.

CREATE TABLE product_details (
  product_id        VARCHAR(100) NOT NULL PRIMARY KEY,
  product_name      VARCHAR(200) NOT NULL,
  -- what is available to sell right now
  quantity          INT NOT NULL DEFAULT 0,
  reserved          INT NOT NULL DEFAULT 0,
  sold              INT NOT NULL DEFAULT 0,
  price_cents       INT NOT NULL,
  deal_price_cents  INT NULL,
  deal_starts_at    DATETIME(6) NULL,
  deal_ends_at      DATETIME(6) NULL,
  -- a deal-only product cannot be bought outside its deal window
  deal_only         TINYINT(1) NOT NULL DEFAULT 0,
  created_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT chk_quantity_nonneg CHECK (quantity >= 0),
  CONSTRAINT chk_reserved_nonneg CHECK (reserved >= 0),
  CONSTRAINT chk_sold_nonneg     CHECK (sold >= 0),
  CONSTRAINT chk_price_nonneg    CHECK (price_cents >= 0),
  CONSTRAINT chk_deal_price      CHECK (deal_price_cents IS NULL OR deal_price_cents >= 0),
  CONSTRAINT chk_deal_window     CHECK (deal_starts_at IS NULL OR deal_ends_at IS NULL OR deal_starts_at < deal_ends_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE client_cart (
  client_id   VARCHAR(100) NOT NULL,
  product_id  VARCHAR(100) NOT NULL,
  quantity    INT NOT NULL,
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  -- no foreign key to product_details on purpose: its check would take a shared
  -- lock on the hot product row and queue add-to-cart behind every Reserve.
  PRIMARY KEY (client_id, product_id),
  CONSTRAINT chk_cart_quantity CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Messages whose effect is already durable, so a redelivery replays the stored
-- outcome instead of applying the effect twice (add-to-cart adds quantities).
CREATE TABLE processed_messages (
  message_id  VARCHAR(100) NOT NULL PRIMARY KEY,
  outcome     JSON NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE orders (
  order_id           VARCHAR(36) NOT NULL PRIMARY KEY,
  client_id          VARCHAR(100) NOT NULL,
  status             ENUM('pending','confirmed','failed') NOT NULL,
  error              VARCHAR(500) NOT NULL DEFAULT '',
  code               VARCHAR(40) NOT NULL DEFAULT '',
  total_cents        INT NOT NULL DEFAULT 0,
  -- set while pending, cleared on the final transition: the UNIQUE index lets
  -- one client have at most one checkout in flight, enforced by the schema.
  pending_client_id  VARCHAR(100) NULL,
  created_at         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_orders_pending_client (pending_client_id),
  KEY ix_orders_client (client_id, created_at),
  KEY ix_orders_status (status, created_at),
  CONSTRAINT chk_orders_pending CHECK ((status = 'pending') = (pending_client_id IS NOT NULL)),
  CONSTRAINT chk_orders_total CHECK (total_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE order_items (
  order_id          VARCHAR(36) NOT NULL,
  product_id        VARCHAR(100) NOT NULL,
  quantity          INT NOT NULL,
  unit_price_cents  INT NOT NULL,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (order_id),
  CONSTRAINT chk_items_quantity CHECK (quantity > 0),
  CONSTRAINT chk_items_price CHECK (unit_price_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per order's reservation: the idempotency key of Reserve and the
-- tombstone that stops a late Reserve after a Rollback of an unreserved order.
CREATE TABLE reservations (
  order_id        VARCHAR(36) NOT NULL PRIMARY KEY,
  status          ENUM('held','committed','released') NOT NULL,
  release_reason  ENUM('','rollback','expired') NOT NULL DEFAULT '',
  expires_at      DATETIME(6) NOT NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_reservations_expiry (status, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE reserve_purchase (
  reserve_id  BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id    VARCHAR(36) NOT NULL,
  product_id  VARCHAR(100) NOT NULL,
  quantity    INT NOT NULL,
  status      ENUM('held','committed','released') NOT NULL,
  expires_at  DATETIME(6) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_reserve_order_product (order_id, product_id),
  KEY ix_reserve_product_status (product_id, status),
  CONSTRAINT fk_reserve_order FOREIGN KEY (order_id) REFERENCES reservations (order_id),
  CONSTRAINT fk_reserve_product FOREIGN KEY (product_id) REFERENCES product_details (product_id),
  CONSTRAINT chk_reserve_quantity CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payments (
  order_id      VARCHAR(36) NOT NULL PRIMARY KEY,
  amount_cents  INT NOT NULL,
  status        ENUM('charged','declined','refunded') NOT NULL,
  reason        VARCHAR(200) NOT NULL DEFAULT '',
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT chk_payment_amount CHECK (amount_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only ledger: every change of a product's counters writes one row in
-- the same transaction. Replaying it reproduces quantity, reserved and sold.
CREATE TABLE stock_movements (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id  VARCHAR(100) NOT NULL,
  kind        ENUM('restock','reserve','commit','release','expire') NOT NULL,
  quantity    INT NOT NULL,
  order_id    VARCHAR(36) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_movements_product (product_id, id),
  KEY ix_movements_order (order_id),
  CONSTRAINT fk_movements_product FOREIGN KEY (product_id) REFERENCES product_details (product_id),
  CONSTRAINT chk_movement_quantity CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
