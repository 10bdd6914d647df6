/**
 * Limits of the inventory manager's gRPC contract (protos/inventory.proto)
 * that both sides need: the server refuses a batch call over this, and the
 * client splits a longer batch into calls of at most this many orders.
 */
export const MAX_ORDERS_PER_BATCH_CALL = 1_000;
