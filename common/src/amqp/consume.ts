import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import { type AppError, isFinal, isRetryable } from '../errors';
import type { Logger } from '../logger';
import type { BrokerConnection, ChannelSlot } from './connection';

export interface MessageContext {
  log: Logger;
  messageId: string;
  replyTo?: string;
  correlationId?: string;
  redelivered: boolean;
  /** How many times the broker handed this message out before (quorum queues count it). */
  deliveryCount: number;
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
  if (isFinal(err)) {
    const e = err as AppError;
    return { kind: 'dead-letter', reason: `${e.code}: ${e.message}` };
  }
  return { kind: 'retry', err };
}

/**
 * Consume a queue on a channel of its own, with manual acks: a message is
 * acked only once its handler's effect is durable, and each message is acked
 * on its own (never `ack(msg, true)`, which would also ack other messages of
 * the channel that are not done yet).
 */
export class Consumer<T> {
  private inFlightCount = 0;
  private consumerTag: string | null = null;
  private cancelled = false;
  private readonly slot: ChannelSlot;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly spec: ConsumerSpec<T>,
    options: ConsumeOptions,
  ) {
    this.slot = connection.openChannel(async (ch) => {
      if (this.cancelled) return;
      const { consumerTag } = await ch.consume(spec.queue, (msg) => {
        if (msg) void this.onMessage(ch, msg);
      }, { noAck: false });
      this.consumerTag = consumerTag;
    }, options.prefetch);
  }

  /** Messages taken and not yet acked or nacked. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Stop taking new messages; handlers in flight keep running and settle. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    const ch = this.slot.current;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    this.consumerTag = null;
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
export function parseDelivery<T>(msg: ConsumeMessage, spec: ConsumerSpec<T>, rootLog: Logger): Delivery<T> | { reason: string; log: Logger } {
  const props = msg.properties;
  const deliveryCount = Number(props.headers?.['x-delivery-count'] ?? 0);
  let log = rootLog.child({ queue: spec.queue, messageId: props.messageId, deliveryCount });
  let body: unknown;
  try {
    body = JSON.parse(msg.content.toString('utf8'));
  } catch (err) {
    return { reason: `INVALID_REQUEST: unparseable message: ${(err as Error).message}`, log };
  }
  const parsed = spec.schema.safeParse(body);
  if (!parsed.success) {
    return { reason: `INVALID_REQUEST: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, log };
  }
  if (spec.logFields) log = log.child(spec.logFields(parsed.data));
  return {
    message: parsed.data,
    raw: msg,
    ctx: {
      log,
      messageId: String(props.messageId ?? ''),
      replyTo: props.replyTo,
      correlationId: props.correlationId,
      redelivered: msg.fields.redelivered,
      deliveryCount,
    },
  };
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
    await new Promise<void>((resolve, reject) =>
      ch.publish(
        exchange,
        queue,
        msg.content,
        {
          ...msg.properties,
          persistent: true,
          headers: { ...msg.properties.headers, 'x-rejection-reason': reason.slice(0, 1000), 'x-original-queue': queue },
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    safely(() => ch.ack(msg));
  } catch {
    safely(() => ch.nack(msg, false, false));
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel is gone: the broker redelivers the unacked message.
  }
}
