import { hash, randomUUID } from 'node:crypto';

/** RFC 4122 URL namespace; our own namespaces derive from it so they are reproducible. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** UUID version 5 (SHA-1 of namespace + name), as in RFC 9562 section 5.5. */
export function uuidV5(name: string, namespace: string): string {
  const ns = namespaceBytes(namespace);
  // One-shot hash (no Hash object per id): the gateway derives one per request.
  const bytes = hash('sha1', Buffer.concat([ns, Buffer.from(name, 'utf8')]), 'buffer').subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const namespaces = new Map<string, Buffer>();

function namespaceBytes(namespace: string): Buffer {
  let ns = namespaces.get(namespace);
  if (!ns) {
    ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (ns.length !== 16) throw new Error(`namespace is not a UUID: ${namespace}`);
    if (namespaces.size < 16) namespaces.set(namespace, ns);
  }
  return ns;
}

/** Separate namespaces: a key reused for an add-to-cart and a checkout never yields the same id. */
export const ORDER_ID_NAMESPACE = uuidV5('urn:flashsale:order-id', URL_NAMESPACE);
export const ADD_TO_CART_NAMESPACE = uuidV5('urn:flashsale:add-to-cart-request', URL_NAMESPACE);

/**
 * The order id of a checkout. With an Idempotency-Key it is derived from the
 * client and the key, so a retry lands on the same order (and reads its status)
 * instead of being refused as a second checkout. Without one, every call is new.
 */
export function orderIdFor(clientID: string, idempotencyKey: string | undefined): string {
  return idempotencyKey === undefined ? randomUUID() : uuidV5(`${clientID}\n${idempotencyKey}`, ORDER_ID_NAMESPACE);
}

/**
 * The request id of an add-to-cart job: the cart manager stores the outcome
 * under it, so a retried request is applied once. The line's product and
 * quantity are part of the name: a key reused by mistake for a different line
 * is a different request, not a silently dropped one.
 */
export function addToCartRequestIdFor(
  line: { clientID: string; productID: string; quantity: number },
  idempotencyKey: string | undefined,
): string {
  if (idempotencyKey === undefined) return randomUUID();
  return uuidV5([line.clientID, idempotencyKey, line.productID, String(line.quantity)].join('\n'), ADD_TO_CART_NAMESPACE);
}
