import { hash, randomFillSync } from 'node:crypto';

/** RFC 4122 URL namespace; our own namespaces derive from it so they are reproducible. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** '0'..'9', 'a'..'f' as character codes. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const DASH = 0x2d;

/**
 * The 8-4-4-4-12 text of 16 bytes, as one flat string. Slicing a hex string
 * and joining the pieces with '-' gives V8 a rope of nine strings, which the
 * job, the pending request and the reply each keep alive: about 300 bytes per
 * id where the flat string takes 56, held by every request in flight.
 */
function uuidText(bytes: Uint8Array): string {
  const out = Buffer.allocUnsafe(36);
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[at++] = DASH;
    const byte = bytes[i]!;
    out[at++] = HEX_DIGITS[byte >> 4]!;
    out[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return out.toString('latin1', 0, 36);
}

/** Random bytes for 256 ids at a time (as crypto.randomUUID caches its entropy). */
const entropy = Buffer.alloc(16 * 256);
let entropyAt = entropy.length;

/** A random UUID (version 4), as crypto.randomUUID() but one flat string (uuidText). */
export function randomUuid(): string {
  if (entropyAt === entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  const bytes = entropy.subarray(entropyAt, entropyAt + 16);
  entropyAt += 16;
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return uuidText(bytes);
}

/** UUID version 5 (SHA-1 of namespace + name), as in RFC 9562 section 5.5. */
export function uuidV5(name: string, namespace: string): string {
  const ns = namespaceBytes(namespace);
  // One-shot hash (no Hash object per id): the gateway derives one per request.
  const bytes = hash('sha1', Buffer.concat([ns, Buffer.from(name, 'utf8')]), 'buffer');
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return uuidText(bytes);
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
  return idempotencyKey === undefined ? randomUuid() : uuidV5(`${clientID}\n${idempotencyKey}`, ORDER_ID_NAMESPACE);
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
  if (idempotencyKey === undefined) return randomUuid();
  return uuidV5([line.clientID, idempotencyKey, line.productID, String(line.quantity)].join('\n'), ADD_TO_CART_NAMESPACE);
}
