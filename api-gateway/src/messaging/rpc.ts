/**
 * Request/reply over RabbitMQ: the request is a persistent, publisher-confirmed
 * message on a durable work queue; the worker answers on the request's replyTo,
 * which is, by REPLY_QUEUE (config.ts):
 * - 'direct': the pseudo-queue amq.rabbitmq.reply-to of our channel (no reply
 *   queue to declare);
 * - 'exclusive': one server-named, exclusive, auto-delete classic queue per
 *   channel, declared again on every (re)connect. RabbitMQ's guide advises
 *   against direct reply-to beyond a few hundred messages/s to one requester;
 *   the bench measures both.
 * Either way the reply address lives and dies with the publishing channel, and
 * each request carries a fresh correlation id, so two HTTP retries of the same
 * order each get their own answer.
 */
import type { ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Broker } from '../../../common/src/amqp/broker';
import { BUNDLE_HEADER, isBundle, MAX_BUNDLE_ITEMS, type ReplyBundle, replyBundle } from '../../../common/src/amqp/bundle';
import { AppError } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { DEFAULT_PUBLISHES_IN_FLIGHT, type ReplyQueueMode } from '../config';
import { IDEMPOTENCY_KEY_HEADER } from '../http/contract';
import { randomUuid } from '../domain/ids';
import type { NoReplyReason, RpcResult } from '../domain/outcomes';

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** The exclusive reply queue: server-named, gone with its channel, classic (an exclusive queue cannot be replicated). */
export const EXCLUSIVE_REPLY_QUEUE = {
  exclusive: true,
  autoDelete: true,
  durable: false,
  arguments: { 'x-queue-type': 'classic' },
} as const;

export interface RequestOptions {
  /** Wait for the reply this long (publish included), then resolve { timedOut: true }. */
  timeoutMs: number;
  /** The message's idempotency id (order id, add-to-cart request id). */
  messageId: string;
}

export interface Rpc {
  /**
   * Publish `body` to `queue` and wait for the reply, parsed with `schema`.
   * Throws AppError SERVICE_UNAVAILABLE when the request was not durably
   * queued (broker down, publish refused or not confirmed in time): nothing
   * will happen then. Once it is queued, never throws: no reply in time
   * resolves { timedOut: true }, because the work may still be done.
   */
  request<T>(queue: string, body: unknown, schema: z.ZodType<T>, options: RequestOptions): Promise<RpcResult<T>>;
  /** Requests waiting for a reply (tests, metrics). */
  readonly pendingCount: number;
}

type Transport = Pick<Broker, 'onChannel' | 'sendToQueue'>;

type Reply = { content: Buffer } | { json: unknown };

/**
 * One request from the call to its outcome: waiting in the outbox, then sent
 * and waiting for its reply. One object per request, its steps as methods,
 * rather than a closure per step: under a burst 10,000 of these are alive at
 * once, and each closure was an allocation and a context held for seconds.
 */
class PendingRequest<T> {
  /** The broker confirmed the request is stored: an outcome will exist. */
  confirmed = false;
  /** Answered, timed out or lost: later events are ignored, and an unsent request is not sent. */
  settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: RpcClient,
    readonly queue: string,
    readonly body: unknown,
    readonly correlationId: string,
    readonly messageId: string,
    readonly replyTo: string,
    private readonly schema: z.ZodType<T>,
    private readonly resolve: (result: RpcResult<T>) => void,
    private readonly reject: (err: AppError) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.noReply('timeout', 'the message broker did not confirm the request in time'), timeoutMs);
  }

  /** A reply: a message's content, or an item's body from a bundle of replies (already JSON-parsed). */
  onReply(reply: Reply): void {
    if (this.finish()) this.resolve(this.client.parseReply(reply, this.schema, this.queue));
  }

  /** The reply address died with the channel: no reply can arrive any more. */
  onLost(reason: NoReplyReason): void {
    this.noReply(reason, 'the message broker connection was lost before the request was stored');
  }

  queued(): void {
    this.confirmed = true;
  }

  failed(err: unknown): void {
    if (this.finish()) {
      this.reject(notQueued(`the request could not be queued (${err instanceof AppError ? err.message : 'message broker error'})`, err));
    }
  }

  /** Stored: the work may still be done, so the caller hears "no reply" (202 / 503 by route); not stored: nothing will happen. */
  private noReply(reason: NoReplyReason, unstored: string): void {
    if (!this.finish()) return;
    if (this.confirmed) this.resolve({ timedOut: true, reason });
    else this.reject(notQueued(unstored));
  }

  /** True the first time: the request leaves the waiters and its timer stops. */
  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.client.forget(this.correlationId);
    return true;
  }
}

function notQueued(message: string, cause?: unknown): AppError {
  return new AppError({
    code: 'SERVICE_UNAVAILABLE',
    message: `${message}; retry later, with the same ${IDEMPOTENCY_KEY_HEADER} to be safe`,
    retryable: true,
    ...(cause === undefined ? {} : { cause }),
  });
}

type Outgoing = PendingRequest<unknown>;

export class RpcClient implements Rpc {
  private readonly waiters = new Map<string, Outgoing>();
  /** Requests not sent yet, by queue, oldest first (flush). */
  private readonly outbox = new Map<string, Outgoing[]>();
  private flushScheduled = false;
  /** Per queue: messages published and not yet confirmed. */
  private readonly publishing = new Map<string, number>();
  /** Where replies come back: direct reply-to, or ('exclusive') the channel's queue, null while it has none (down, or not declared yet). */
  private replyTo: string | null;

  constructor(
    private readonly broker: Transport,
    private readonly log: Logger,
    readonly mode: ReplyQueueMode = 'direct',
    /** Most requests in one message (RPC_BUNDLE_MAX); 1 sends every request alone. */
    private readonly bundleMax: number = MAX_BUNDLE_ITEMS,
    /** Messages per queue awaiting their confirm (RPC_PUBLISHES_IN_FLIGHT); 0: no bound, every turn's requests go at its end. */
    private readonly publishesInFlight: number = DEFAULT_PUBLISHES_IN_FLIGHT,
  ) {
    this.replyTo = mode === 'direct' ? DIRECT_REPLY_TO : null;
    // Runs on every (re)connect, before the channel publishes anything: the
    // reply consumer lives on the channel that publishes (direct reply-to
    // requires it; an exclusive queue dies with it the same way).
    broker.onChannel(async (ch) => {
      ch.on('close', () => {
        if (mode === 'exclusive') this.replyTo = null;
        this.abandonAll('connection-lost');
      });
      if (mode === 'direct') {
        await ch.consume(DIRECT_REPLY_TO, (msg) => this.onMessage(msg), { noAck: true });
        return;
      }
      const { queue } = await ch.assertQueue('', EXCLUSIVE_REPLY_QUEUE);
      await ch.consume(
        queue,
        (msg) => {
          // The broker cancelled the consumer (the queue was deleted): the
          // channel lives on but no reply can arrive. Close it; the connection
          // recovers and a new queue is declared.
          if (!msg) ch.close().catch(() => undefined);
          this.onMessage(msg);
        },
        { noAck: true },
      );
      this.replyTo = queue;
      log.info({ replyQueue: queue }, 'reply queue declared');
    });
  }

  get pendingCount(): number {
    return this.waiters.size;
  }

  request<T>(queue: string, body: unknown, schema: z.ZodType<T>, options: RequestOptions): Promise<RpcResult<T>> {
    return new Promise<RpcResult<T>>((resolve, reject) => {
      const replyTo = this.replyTo;
      if (replyTo === null) {
        // 'exclusive' with no reply queue: the channel is down, so the publish would be refused as well.
        reject(notQueued('the request could not be queued (message broker unavailable)'));
        return;
      }
      const correlationId = randomUuid();
      const request = new PendingRequest(this, queue, body, correlationId, options.messageId, replyTo, schema, resolve, reject, options.timeoutMs);
      this.waiters.set(correlationId, request as Outgoing);
      this.enqueue(queue, request as Outgoing);
    });
  }

  /** A request settled: no reply is awaited for it any more (PendingRequest). */
  forget(correlationId: string): void {
    this.waiters.delete(correlationId);
  }

  /** Hold a request until the end of the turn, when the requests of the turn are sent (flush). */
  private enqueue(queue: string, request: Outgoing): void {
    const list = this.outbox.get(queue);
    if (list) list.push(request);
    else this.outbox.set(queue, [request]);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Send what waits, per queue: one message alone, or a bundle of up to
   * bundleMax (common/src/amqp/bundle.ts), each confirmed as a whole (every
   * request in it is stored, or none is). At most publishesInFlight per queue
   * await their confirm; what arrives meanwhile waits for the next, so bundles
   * grow with the load and no timer is needed: alone at once when idle, the
   * requests of a whole confirm round trip together under a burst (group commit).
   * A request whose caller stopped waiting (timed out, connection lost) is not sent.
   */
  private flush(): void {
    this.flushScheduled = false;
    for (const [queue, waiting] of this.outbox) {
      // A queue at its bound is left as it is: under a burst thousands wait
      // here, and each turn that adds one must not walk them all.
      while (waiting.length > 0 && (this.publishesInFlight === 0 || (this.publishing.get(queue) ?? 0) < this.publishesInFlight)) {
        const part = takeBundle(waiting, this.bundleMax);
        if (part.length > 0) this.send(queue, part);
      }
      if (waiting.length === 0) this.outbox.delete(queue);
    }
  }

  private send(queue: string, part: Outgoing[]): void {
    const replyTo = part[0]!.replyTo;
    this.publishing.set(queue, (this.publishing.get(queue) ?? 0) + 1);
    const sent =
      part.length === 1
        ? this.broker.sendToQueue(queue, part[0]!.body, { replyTo, correlationId: part[0]!.correlationId, messageId: part[0]!.messageId })
        : this.broker.sendToQueue(
            queue,
            { items: part.map((r) => ({ messageId: r.messageId, correlationId: r.correlationId, body: r.body })) },
            { replyTo, headers: { [BUNDLE_HEADER]: part.length } },
          );
    void sent
      .then(
        () => part.forEach((r) => r.queued()),
        (err: unknown) => part.forEach((r) => r.failed(err)),
      )
      .finally(() => {
        this.publishing.set(queue, (this.publishing.get(queue) ?? 1) - 1);
        if (this.outbox.has(queue)) this.scheduleFlush();
      });
  }

  private onMessage(msg: ConsumeMessage | null): void {
    // null: the broker cancelled the consumer; the channel close that follows abandons the waiters
    // ('exclusive' closes the channel itself, above).
    if (!msg) return;
    if (isBundle(msg)) {
      this.onBundle(msg.content);
      return;
    }
    const correlationId = msg.properties.correlationId as string | undefined;
    const waiter = correlationId ? this.waiters.get(correlationId) : undefined;
    if (!waiter) {
      this.log.debug({ correlationId }, 'reply for no waiting request (it timed out), dropped');
      return;
    }
    waiter.onReply({ content: msg.content });
  }

  /** A bundle of replies: each item to its waiter, as if it had come alone. */
  private onBundle(content: Buffer): void {
    let bundle: ReplyBundle;
    try {
      bundle = replyBundle.parse(JSON.parse(content.toString('utf8')));
    } catch (err) {
      // Its waiters time out (202 / 503): the work they asked for is done or will be, and can be read.
      this.log.error({ err }, 'unparseable bundle of replies, dropped');
      return;
    }
    for (const item of bundle.items) {
      const waiter = this.waiters.get(item.correlationId);
      if (waiter) waiter.onReply({ json: item.body });
      else this.log.debug({ correlationId: item.correlationId }, 'reply for no waiting request (it timed out), dropped');
    }
  }

  /** The reply as the caller's schema reads it; a reply that does not parse or match is "no reply" (bad-reply). */
  parseReply<T>(reply: Reply, schema: z.ZodType<T>, queue: string): RpcResult<T> {
    let json: unknown;
    if ('json' in reply) {
      json = reply.json;
    } else {
      try {
        json = JSON.parse(reply.content.toString('utf8'));
      } catch (err) {
        this.log.error({ err, queue }, 'unparseable reply');
        return { timedOut: true, reason: 'bad-reply' };
      }
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      this.log.error({ queue, issues: parsed.error.issues, reply: json }, 'reply does not match its schema');
      return { timedOut: true, reason: 'bad-reply' };
    }
    return { timedOut: false, reply: parsed.data };
  }

  /** The reply address died with the channel: no reply can arrive any more. */
  private abandonAll(reason: NoReplyReason): void {
    for (const waiter of [...this.waiters.values()]) waiter.onLost(reason);
  }
}

/**
 * Take from the head of `waiting` the next message's requests: up to `max`
 * live ones with the reply address of the first (it changes only across a
 * reconnect in 'exclusive' mode). A request whose caller stopped waiting is
 * dropped on the way, never sent.
 */
function takeBundle(waiting: Outgoing[], max: number): Outgoing[] {
  let end = 0;
  const part: Outgoing[] = [];
  while (end < waiting.length && part.length < max) {
    const r = waiting[end]!;
    if (!r.settled) {
      if (part.length > 0 && r.replyTo !== part[0]!.replyTo) break;
      part.push(r);
    }
    end++;
  }
  waiting.splice(0, end);
  return part;
}
