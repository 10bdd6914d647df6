import type { ConfirmChannel, ConsumeMessage, MessageProperties } from 'amqplib';
import type { z } from 'zod';
import { AppError, isFinal, isRetryable } from '../errors';
import type { Logger } from '../logger';
import { AckTracker } from './acks';
import { BUNDLE_HEADER, type BundledRequest, bundleSize, isBundle, requestBundle } from './bundle';
import type { BrokerConnection, ChannelSlot } from './connection';

export interface MessageContext {
  log: Logger;
  messageId: string;
  replyTo?: string;
  correlationId?: string;
  redelivered: boolean;
  /** How many times the broker handed this message out before (quorum queues count it). */
  deliveryCount: number;
  /** It came in a bundle (bundle.ts): its reply may go back in one too. */
  bundled?: boolean;
}

export interface ConsumerSpec<T> {
  queue: string;
  schema: z.ZodType<T>;
  handler: (message: T, ctx: MessageContext) => Promise<void>;
  /** Correlation fields for the log line of each message. */
  logFields?: (message: T) => Record<string, unknown>;
}

export interface ConsumeOptions {
  /** Unacked deliveries of this consumer: bounds its work in flight. */
  prefetch: number;
}

/** A delivery that parsed: its message, its context, and the raw message to settle. */
export interface Delivery<T> {
  message: T;
  ctx: MessageContext;
  raw: ConsumeMessage;
}

/**
 * What becomes of a delivery once its work is done or has failed. Handlers do
 * not ack: they return (ack) or throw, and `settlementOf` decides. A batch
 * handler settles each of its deliveries the same way, one by one.
 */
export type Settlement = { kind: 'ack' } | { kind: 'dead-letter'; reason: string } | { kind: 'retry'; err: unknown };

/**
 * A failure the catalog marks final (a bad message, an order that does not
 * exist...) can never succeed: dead-letter it at once with its reason. Anything
 * else (the database restarting, a deadlock, an unknown bug) is retried after
 * a pause, and the quorum queue's delivery limit bounds the retries.
 */
export function settlementOf(err: unknown): Settlement {
  if (isFinal(err)) return { kind: 'dead-letter', reason: rejectionReason(err) };
  return { kind: 'retry', err };
}

/** Why a message was dead-lettered, as its x-rejection-reason says it: `CODE: message` for an AppError. */
export function rejectionReason(err: unknown): string {
  return err instanceof AppError ? `${err.code}: ${err.message}` : String(err);
}

/** Longest x-rejection-reason kept in a dead-lettered message's headers. */
const MAX_REJECTION_REASON_CHARS = 1_000;

/** The headers a dead-lettered message carries: why (cut to 1,000 characters), and the queue it came from. */
export function deadLetterHeaders(reason: string, queue: string): { 'x-rejection-reason': string; 'x-original-queue': string } {
  return { 'x-rejection-reason': reason.slice(0, MAX_REJECTION_REASON_CHARS), 'x-original-queue': queue };
}

/**
 * What every kind of consumer shares: a channel of its own (re-opened on every
 * reconnect, with its prefetch), its consumer tag, and a count of the
 * messages it holds unsettled. Subclasses say what to do with a delivery.
 */
abstract class QueueSubscription {
  protected inFlightCount = 0;
  private consumerTag: string | null = null;
  private cancelled = false;
  private readonly slot: ChannelSlot;

  protected constructor(
    protected readonly connection: BrokerConnection,
    queue: string,
    prefetch: number,
  ) {
    this.slot = connection.openChannel(async (ch) => {
      if (this.cancelled) return;
      const { consumerTag } = await ch.consume(queue, (msg) => {
        if (msg) this.onDelivery(ch, msg);
      }, { noAck: false });
      this.consumerTag = consumerTag;
    }, prefetch);
  }

  protected abstract onDelivery(ch: ConfirmChannel, msg: ConsumeMessage): void;

  /** Messages taken and not yet acked or nacked. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Stop taking new messages; work in flight keeps running and settles. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    const ch = this.slot.current;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    this.consumerTag = null;
  }
}

/**
 * Consume a queue on a channel of its own, with manual acks: a message is
 * acked only once its handler's effect is durable, and each message is acked
 * on its own (never `ack(msg, true)`, which would also ack other messages of
 * the channel that are not done yet).
 */
export class Consumer<T> extends QueueSubscription {
  constructor(
    connection: BrokerConnection,
    private readonly spec: ConsumerSpec<T>,
    options: ConsumeOptions,
  ) {
    super(connection, spec.queue, options.prefetch);
  }

  protected onDelivery(ch: ConfirmChannel, msg: ConsumeMessage): void {
    void this.onMessage(ch, msg);
  }

  private async onMessage(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    this.inFlightCount++;
    try {
      const parsed = parseDelivery(msg, this.spec, this.connection.log);
      if ('reason' in parsed) {
        await settle(ch, msg, { kind: 'dead-letter', reason: parsed.reason }, parsed.log, this.connection.topology.deadLetterExchange, this.spec.queue);
        return;
      }
      let outcome: Settlement = { kind: 'ack' };
      try {
        await this.spec.handler(parsed.message, parsed.ctx);
      } catch (err) {
        outcome = settlementOf(err);
      }
      await settle(ch, msg, outcome, parsed.ctx.log, this.connection.topology.deadLetterExchange, this.spec.queue);
    } finally {
      this.inFlightCount--;
    }
  }
}

/** Parse a delivery with its schema; a message that does not parse is final. */
export function parseDelivery<T>(msg: ConsumeMessage, spec: Pick<ConsumerSpec<T>, 'queue' | 'schema' | 'logFields'>, rootLog: Logger): Delivery<T> | { reason: string; log: Logger } {
  let body: unknown;
  try {
    body = JSON.parse(msg.content.toString('utf8'));
  } catch (err) {
    return { reason: `INVALID_REQUEST: unparseable message: ${(err as Error).message}`, log: rootLog.child(logFieldsOf(msg, spec.queue)) };
  }
  return deliveryOf(msg, body, spec, rootLog);
}

function logFieldsOf(msg: ConsumeMessage, queue: string, item?: BundledRequest): Record<string, unknown> {
  const deliveryCount = Number(msg.properties.headers?.['x-delivery-count'] ?? 0);
  return { queue, messageId: item ? item.messageId : msg.properties.messageId, deliveryCount };
}

/** One request's body checked against the schema: a delivery, or why it is final. `item`: it came in a bundle. */
function deliveryOf<T>(
  msg: ConsumeMessage,
  body: unknown,
  spec: Pick<ConsumerSpec<T>, 'queue' | 'schema' | 'logFields'>,
  rootLog: Logger,
  item?: BundledRequest,
): Delivery<T> | { reason: string; log: Logger } {
  const props = msg.properties;
  const fields = logFieldsOf(msg, spec.queue, item);
  const parsed = spec.schema.safeParse(body);
  if (!parsed.success) {
    return { reason: `INVALID_REQUEST: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, log: rootLog.child(fields) };
  }
  const data = parsed.data;
  return {
    message: data,
    raw: msg,
    ctx: {
      // The message's child logger, with its correlation fields, made when first used: a child costs a
      // serialisation of its bindings, and under a burst most messages log nothing (success is debug).
      get log(): Logger {
        const log = rootLog.child(spec.logFields ? { ...fields, ...spec.logFields(data) } : fields);
        Object.defineProperty(this, 'log', { value: log, enumerable: true });
        return log;
      },
      messageId: String((item ? item.messageId : props.messageId) ?? ''),
      replyTo: props.replyTo,
      correlationId: item ? item.correlationId : props.correlationId,
      redelivered: msg.fields.redelivered,
      deliveryCount: Number(fields.deliveryCount),
      ...(item ? { bundled: true } : {}),
    },
  };
}

/**
 * The requests of a bundle (bundle.ts), each checked on its own: the ones that
 * parse, and the ones that do not (final, dead-lettered alone). A bundle whose
 * envelope does not parse is final as a whole.
 */
export function parseBundle<T>(
  msg: ConsumeMessage,
  spec: Pick<ConsumerSpec<T>, 'queue' | 'schema' | 'logFields'>,
  rootLog: Logger,
): { reason: string; log: Logger } | { deliveries: { delivery: Delivery<T>; item: BundledRequest }[]; rejected: { item: BundledRequest; reason: string; log: Logger }[] } {
  let envelope: unknown;
  try {
    envelope = JSON.parse(msg.content.toString('utf8'));
  } catch (err) {
    return { reason: `INVALID_REQUEST: unparseable bundle: ${(err as Error).message}`, log: rootLog.child(logFieldsOf(msg, spec.queue)) };
  }
  const bundle = requestBundle.safeParse(envelope);
  if (!bundle.success) {
    return { reason: `INVALID_REQUEST: bundle: ${bundle.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, log: rootLog.child(logFieldsOf(msg, spec.queue)) };
  }
  const deliveries: { delivery: Delivery<T>; item: BundledRequest }[] = [];
  const rejected: { item: BundledRequest; reason: string; log: Logger }[] = [];
  for (const item of bundle.data.items) {
    const d = deliveryOf(msg, item.body, spec, rootLog, item);
    if ('reason' in d) rejected.push({ item, ...d });
    else deliveries.push({ delivery: d, item });
  }
  return { deliveries, rejected };
}

/** Carry out a settlement on the channel the message came from. */
export async function settle(
  ch: ConfirmChannel,
  msg: ConsumeMessage,
  outcome: Settlement,
  log: Logger,
  deadLetterExchange: string,
  queue: string,
): Promise<void> {
  switch (outcome.kind) {
    case 'ack':
      safely(() => ch.ack(msg));
      return;
    case 'dead-letter':
      log.error({ reason: outcome.reason }, 'message rejected to the dead-letter queue');
      await deadLetter(ch, msg, outcome.reason, deadLetterExchange, queue);
      return;
    case 'retry': {
      // Requeue after a pause; the quorum queue counts deliveries and
      // dead-letters the message once x-delivery-limit is reached.
      const deliveryCount = Number(msg.properties.headers?.['x-delivery-count'] ?? 0);
      log.warn({ err: outcome.err, retryable: isRetryable(outcome.err) }, 'message failed, requeueing');
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** Math.min(deliveryCount, 5), 5_000)));
      safely(() => ch.nack(msg, false, true));
      return;
    }
  }
}

/**
 * Park a message that can never succeed in the dead-letter queue with the
 * reason in its headers (a plain nack would lose the why), then ack it. If
 * that publish is not confirmed, fall back to the queue's own dead-lettering.
 */
async function deadLetter(ch: ConfirmChannel, msg: ConsumeMessage, reason: string, exchange: string, queue: string): Promise<void> {
  try {
    await publishDeadLetter(ch, msg.content, msg.properties, reason, exchange, queue);
    safely(() => ch.ack(msg));
  } catch {
    safely(() => ch.nack(msg, false, false));
  }
}

/** Put a message in the dead-letter exchange with its reason, and resolve once the broker confirms it. */
function publishDeadLetter(
  ch: ConfirmChannel,
  content: Buffer,
  properties: MessageProperties,
  reason: string,
  exchange: string,
  queue: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    ch.publish(
      exchange,
      queue,
      content,
      { ...properties, persistent: true, headers: { ...properties.headers, ...deadLetterHeaders(reason, queue) } },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
}

/**
 * Dead-letter requests of a bundle one by one: each goes to the dead-letter
 * exchange as the message it would have been alone (its body, message id and
 * correlation id), with its reason. Rejects if the broker confirms one not.
 */
async function deadLetterItems(
  ch: ConfirmChannel,
  raw: ConsumeMessage,
  items: readonly { item: BundledRequest; reason: string }[],
  exchange: string,
  queue: string,
): Promise<void> {
  const { [BUNDLE_HEADER]: _count, ...headers } = (raw.properties.headers ?? {}) as Record<string, unknown>;
  await Promise.all(
    items.map(({ item, reason }) =>
      publishDeadLetter(
        ch,
        Buffer.from(JSON.stringify(item.body)),
        { ...raw.properties, headers, messageId: item.messageId, correlationId: item.correlationId },
        reason,
        exchange,
        queue,
      ),
    ),
  );
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel is gone: the broker redelivers the unacked message.
  }
}

/** What became of one delivery of a batch: done (ack), or its own failure. */
export type BatchItemOutcome = { ok: true } | { ok: false; err: unknown };

export interface BatchConsumerSpec<T> {
  queue: string;
  schema: z.ZodType<T>;
  /**
   * Most deliveries handed over at once; also the consumer's prefetch, so up
   * to this many can wait while a batch runs.
   */
  maxBatch: number;
  /**
   * Batches that may run at once (default 1). More than one lets slow,
   * independent work overlap (a payment of 200 ms per order): the next batch
   * starts while the previous one waits. The prefetch is maxBatch x this.
   */
  concurrency?: number;
  /**
   * Apply the deliveries together (typically one transaction with multi-row
   * statements) and return one outcome per delivery, in order. Replies are
   * the handler's to send, after its effects are durable. Throwing fails the
   * whole batch: the consumer then hands the deliveries over again one at a
   * time, so one bad message cannot sink its neighbours.
   */
  handleBatch: (batch: Delivery<T>[]) => Promise<BatchItemOutcome[]>;
  logFields?: (message: T) => Record<string, unknown>;
  /** How many units of work a message holds, for the stats (default 1: a message is one). */
  itemsOf?: (message: T) => number;
  /**
   * A bound on the units of work of a batch, for messages that hold several
   * (the orders of a checkout.process message): a batch takes waiting
   * messages while their units, read from the raw message by `hint` (a header
   * the publisher sets; 1 when absent), stay within `max`. A message over
   * `max` by itself is a batch of one.
   */
  maxItems?: { max: number; hint: (raw: ConsumeMessage) => number };
}

/**
 * The prefetch of a batch consumer: the batches it may run at once, plus one
 * batch more that waits. Without that headroom the broker only sends the next
 * messages once a batch is acked, so the next batch starts on the first few to
 * arrive and batches stay far below maxBatch under a burst (measured: a mean of
 * 45 of 100 on cart.add with 10,000 messages queued).
 */
export function batchPrefetch(maxBatch: number, concurrency: number): number {
  return maxBatch * (concurrency + 1);
}

/**
 * Batches handed to a batch consumer, the deliveries in them, and the units
 * of work those held (itemsOf: the orders of a checkout.process message): the
 * mean batch size is items / batches.
 */
export interface BatchStats {
  batches: number;
  deliveries: number;
  items: number;
}

/**
 * Consume a queue in batches that adapt to the load, with no timer: deliveries
 * that arrive while a batch runs wait, and the next batch takes all that
 * waited (up to maxBatch). At low load a batch is one message and adds no
 * latency; under a burst batches grow by themselves (group commit). Every
 * delivery is settled by its own outcome once its batch is done: the done
 * ones acked together where that is safe (acks.ts: one multiple ack for a
 * run of done deliveries, never covering one still at work), a failed one
 * dead-lettered or requeued on its own.
 */
export class BatchConsumer<T> extends QueueSubscription {
  private readonly waiting: { ch: ConfirmChannel; raw: ConsumeMessage }[] = [];
  private active = 0;
  private scheduled = false;
  /** One per channel: delivery tags are the channel's, and a reconnect opens a new one. */
  private readonly acks = new WeakMap<ConfirmChannel, AckTracker>();
  readonly stats: BatchStats = { batches: 0, deliveries: 0, items: 0 };

  constructor(
    connection: BrokerConnection,
    private readonly spec: BatchConsumerSpec<T>,
  ) {
    super(connection, spec.queue, batchPrefetch(spec.maxBatch, spec.concurrency ?? 1));
  }

  protected onDelivery(ch: ConfirmChannel, msg: ConsumeMessage): void {
    this.inFlightCount++;
    this.ackTracker(ch).delivered(msg);
    this.waiting.push({ ch, raw: msg });
    // setImmediate: amqplib hands over every message of one socket read in
    // one go; they join the same batch.
    if (!this.scheduled && this.active < this.concurrency) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.startBatches();
      });
    }
  }

  private get concurrency(): number {
    return this.spec.concurrency ?? 1;
  }

  /**
   * How many waiting messages the next batch takes: up to maxBatch, and within
   * maxItems when set; otherwise within maxBatch requests, counting a bundle
   * as the requests it holds (its header).
   */
  private takeCount(): number {
    const limit = this.spec.maxItems ?? { max: this.spec.maxBatch, hint: bundleSize };
    const most = Math.min(this.spec.maxBatch, this.waiting.length);
    let n = 0;
    let items = 0;
    while (n < most) {
      const k = Math.max(1, limit.hint(this.waiting[n]!.raw) || 1);
      if (n > 0 && items + k > limit.max) break;
      items += k;
      n++;
    }
    return n;
  }

  private ackTracker(ch: ConfirmChannel): AckTracker {
    let tracker = this.acks.get(ch);
    if (!tracker) {
      tracker = new AckTracker(ch);
      this.acks.set(ch, tracker);
    }
    return tracker;
  }

  /** Settle a delivery that is not simply done (dead-letter, retry) on its own, then let its tracker know. */
  private async settleAlone(ch: ConfirmChannel, raw: ConsumeMessage, outcome: Settlement, log: Logger): Promise<void> {
    await settle(ch, raw, outcome, log, this.connection.topology.deadLetterExchange, this.spec.queue);
    this.ackTracker(ch).settled(raw);
  }

  /** Start batches of what waits, while fewer than `concurrency` run; each that ends starts the next. */
  private startBatches(): void {
    while (this.waiting.length > 0 && this.active < this.concurrency) {
      const taken = this.waiting.splice(0, this.takeCount());
      this.active++;
      void this.runBatch(taken)
        .catch((err: unknown) => this.connection.log.error({ err, queue: this.spec.queue }, 'batch consumer failed; its messages are redelivered'))
        .finally(() => {
          this.active--;
          this.startBatches();
        });
    }
  }

  private async runBatch(taken: { ch: ConfirmChannel; raw: ConsumeMessage }[]): Promise<void> {
    const log = this.connection.log;
    const queue = this.spec.queue;
    const exchange = this.connection.topology.deadLetterExchange;
    const parsed: { ch: ConfirmChannel; delivery: Delivery<T> }[] = [];
    /** The bundles of this batch: the requests each became, and those of them that did not parse. */
    const bundles = new Map<ConsumeMessage, { ch: ConfirmChannel; rejected: { item: BundledRequest; reason: string }[] }>();
    const itemOf = new Map<Delivery<T>, BundledRequest>();
    try {
      for (const { ch, raw } of taken) {
        if (isBundle(raw)) {
          const b = parseBundle(raw, this.spec, log);
          if ('reason' in b) {
            await this.settleAlone(ch, raw, { kind: 'dead-letter', reason: b.reason }, b.log);
            continue;
          }
          for (const r of b.rejected) r.log.error({ reason: r.reason }, 'bundled request rejected to the dead-letter queue');
          bundles.set(raw, { ch, rejected: b.rejected });
          for (const { delivery, item } of b.deliveries) {
            parsed.push({ ch, delivery });
            itemOf.set(delivery, item);
          }
          continue;
        }
        const p = parseDelivery(raw, this.spec, log);
        if ('reason' in p) await this.settleAlone(ch, raw, { kind: 'dead-letter', reason: p.reason }, p.log);
        else parsed.push({ ch, delivery: p });
      }
      const outcomes = parsed.length === 0 ? [] : await this.handle(parsed.map((p) => p.delivery));

      // The done single messages first and at once (a failed one may wait out a retry pause before its nack).
      const done = new Map<ConfirmChannel, ConsumeMessage[]>();
      const failed: Promise<void>[] = [];
      /** Per bundle: the failures of its requests (their settlement decides the bundle's). */
      const bundleFailures = new Map<ConsumeMessage, { delivery: Delivery<T>; settlement: Settlement }[]>();
      parsed.forEach(({ ch, delivery }, i) => {
        const outcome = outcomes[i]!;
        if (bundles.has(delivery.raw)) {
          if (!outcome.ok) {
            const list = bundleFailures.get(delivery.raw) ?? [];
            list.push({ delivery, settlement: settlementOf(outcome.err) });
            bundleFailures.set(delivery.raw, list);
          }
          return;
        }
        if (outcome.ok) {
          const list = done.get(ch);
          if (list) list.push(delivery.raw);
          else done.set(ch, [delivery.raw]);
        } else {
          failed.push(this.settleAlone(ch, delivery.raw, settlementOf(outcome.err), delivery.ctx.log));
        }
      });
      // A bundle is acked when every request in it is done or dead-lettered on its own; if one is to be
      // retried, the whole bundle goes back to the queue (its done requests replay their recorded outcomes).
      for (const [raw, { ch, rejected }] of bundles) {
        const failures = bundleFailures.get(raw) ?? [];
        const retry = failures.find((f) => f.settlement.kind === 'retry');
        if (retry) {
          failed.push(this.settleAlone(ch, raw, retry.settlement, retry.delivery.ctx.log));
          continue;
        }
        const dead = [
          ...rejected,
          ...failures.map((f) => {
            const reason = f.settlement.kind === 'dead-letter' ? f.settlement.reason : '';
            f.delivery.ctx.log.error({ reason }, 'bundled request rejected to the dead-letter queue');
            return { item: itemOf.get(f.delivery)!, reason };
          }),
        ];
        if (dead.length === 0) {
          const list = done.get(ch);
          if (list) list.push(raw);
          else done.set(ch, [raw]);
          continue;
        }
        failed.push(
          deadLetterItems(ch, raw, dead, exchange, queue).then(
            () => safely(() => this.ackTracker(ch).ack([raw])),
            () => {
              // Not confirmed: let the queue dead-letter the whole bundle rather than lose a request.
              safely(() => ch.nack(raw, false, false));
              this.ackTracker(ch).settled(raw);
            },
          ),
        );
      }
      for (const [ch, msgs] of done) safely(() => this.ackTracker(ch).ack(msgs));
      await Promise.all(failed);
    } finally {
      this.inFlightCount -= taken.length;
    }
  }

  /**
   * The outcome of each delivery: the batch handled together; if that throws for a
   * reason that is not transient, each delivery on its own, so one bad request
   * cannot sink its neighbours.
   */
  private async handle(deliveries: Delivery<T>[]): Promise<BatchItemOutcome[]> {
    const log = this.connection.log;
    const queue = this.spec.queue;
    this.stats.batches++;
    this.stats.deliveries += new Set(deliveries.map((d) => d.raw)).size;
    const itemsOf = this.spec.itemsOf;
    this.stats.items += itemsOf ? deliveries.reduce((n, d) => n + itemsOf(d.message), 0) : deliveries.length;
    try {
      const outcomes = await this.spec.handleBatch(deliveries);
      if (outcomes.length !== deliveries.length) throw new Error(`handleBatch returned ${outcomes.length} outcomes for ${deliveries.length} deliveries`);
      return outcomes;
    } catch (err) {
      if (deliveries.length === 1 || isRetryable(err)) {
        // A transient failure of the whole batch (database or inventory
        // unreachable) is no message's fault: retry them all later, rather
        // than one by one now against the same outage.
        return deliveries.map(() => ({ ok: false as const, err }));
      }
      // One of them may be the cause: give each its own chance.
      log.warn({ err, queue, size: deliveries.length }, 'batch failed, retrying its messages one by one');
      const outcomes: BatchItemOutcome[] = [];
      for (const d of deliveries) {
        try {
          const [one] = await this.spec.handleBatch([d]);
          outcomes.push(one ?? { ok: false, err: new Error('handleBatch returned no outcome') });
        } catch (oneErr) {
          outcomes.push({ ok: false, err: oneErr });
        }
      }
      return outcomes;
    }
  }
}
