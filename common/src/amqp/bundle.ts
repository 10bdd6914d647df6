/**
 * Bundles: several requests (or several replies) in one AMQP message. Under a
 * burst the gateway takes hundreds of requests per event-loop turn; one
 * message each cost RabbitMQ a persistent, confirmed quorum-queue write and
 * each side an encode, a decode and a frame per request. A bundle is one
 * message with the header `x-bundle` (how many items it holds) and the body
 * `{"items": [...]}`, each item keeping what a message of its own carried
 * (its message id and correlation id, and its body). A message without the
 * header is one request, as before: publishers and consumers of single
 * messages are unchanged, and a batch consumer takes either.
 *
 * A bundle in gets a bundle out: the replies to a bundle's items that are
 * sent in the same turn go back to its reply address as one bundle; a single
 * request gets a single reply. (Upgrading: the workers first, then the
 * gateways. An old worker dead-letters a bundle it cannot read; an old
 * gateway never sends one, so never gets one back.)
 */
import type { ConsumeMessage } from 'amqplib';
import { z } from 'zod';

export const BUNDLE_HEADER = 'x-bundle';

/** Most items one bundle carries; a publisher splits a bigger turn into several. */
export const MAX_BUNDLE_ITEMS = 100;

const correlationId = z.string().min(1).max(200);

export const requestBundle = z.object({
  items: z
    .array(z.object({ messageId: z.string().min(1).max(200), correlationId, body: z.unknown() }))
    .min(1)
    .max(MAX_BUNDLE_ITEMS),
});
export type RequestBundle = z.infer<typeof requestBundle>;
export type BundledRequest = RequestBundle['items'][number];

export const replyBundle = z.object({
  items: z
    .array(z.object({ correlationId, body: z.unknown() }))
    .min(1)
    .max(MAX_BUNDLE_ITEMS),
});
export type ReplyBundle = z.infer<typeof replyBundle>;
export type BundledReply = ReplyBundle['items'][number];

/** Whether a message is a bundle (its header says how many items), rather than one request or reply. */
export function isBundle(raw: Pick<ConsumeMessage, 'properties'>): boolean {
  return raw.properties.headers?.[BUNDLE_HEADER] !== undefined;
}

/** How many items a message holds, as its header says (1 for a single message): a hint for batch bounds, read before parsing. */
export function bundleSize(raw: Pick<ConsumeMessage, 'properties'>): number {
  const n = Number(raw.properties.headers?.[BUNDLE_HEADER] ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Split a list into bundles of at most MAX_BUNDLE_ITEMS. */
export function chunks<T>(items: readonly T[], size = MAX_BUNDLE_ITEMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
