/**
 * Request/reply over RabbitMQ direct reply-to: the request is a persistent,
 * publisher-confirmed message on a durable work queue; the worker answers on the
 * pseudo-queue amq.rabbitmq.reply-to of our channel. No reply queue to declare,
 * and each request carries a fresh correlation id, so two HTTP retries of the
 * same order each get their own answer.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Broker } from '../../../common/src/amqp/broker';
import { AppError } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { IDEMPOTENCY_KEY_HEADER } from '../http/contract';
import type { NoReplyReason, RpcResult } from '../domain/outcomes';

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

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

interface Waiter {
  /** The broker confirmed the request is stored: an outcome will exist. */
  confirmed: boolean;
  onReply(content: Buffer): void;
  onLost(reason: NoReplyReason): void;
}

export class RpcClient implements Rpc {
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly broker: Transport,
    private readonly log: Logger,
  ) {
    // Runs on every (re)connect: the reply consumer lives on the same channel
    // that publishes, as direct reply-to requires.
    broker.onChannel(async (ch) => {
      ch.on('close', () => this.abandonAll('connection-lost'));
      await ch.consume(DIRECT_REPLY_TO, (msg) => this.onMessage(msg), { noAck: true });
    });
  }

  get pendingCount(): number {
    return this.waiters.size;
  }

  request<T>(queue: string, body: unknown, schema: z.ZodType<T>, options: RequestOptions): Promise<RpcResult<T>> {
    const correlationId = randomUUID();
    return new Promise<RpcResult<T>>((resolve, reject) => {
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.waiters.delete(correlationId);
        done();
      };
      const notQueued = (message: string, cause?: unknown) =>
        new AppError({
          code: 'SERVICE_UNAVAILABLE',
          message: `${message}; retry later, with the same ${IDEMPOTENCY_KEY_HEADER} to be safe`,
          retryable: true,
          ...(cause === undefined ? {} : { cause }),
        });

      const waiter: Waiter = {
        confirmed: false,
        onReply: (content) => settle(() => resolve(this.parseReply(content, schema, queue))),
        onLost: (reason) =>
          settle(() =>
            waiter.confirmed
              ? resolve({ timedOut: true, reason })
              : reject(notQueued('the message broker connection was lost before the request was stored')),
          ),
      };
      const timer = setTimeout(() => {
        settle(() =>
          waiter.confirmed
            ? resolve({ timedOut: true, reason: 'timeout' })
            : reject(notQueued('the message broker did not confirm the request in time')),
        );
      }, options.timeoutMs);
      this.waiters.set(correlationId, waiter);

      void this.broker
        .sendToQueue(queue, body, { replyTo: DIRECT_REPLY_TO, correlationId, messageId: options.messageId })
        .then(
          () => {
            waiter.confirmed = true;
          },
          (err: unknown) =>
            settle(() => reject(notQueued(`the request could not be queued (${err instanceof AppError ? err.message : 'message broker error'})`, err))),
        );
    });
  }

  private onMessage(msg: ConsumeMessage | null): void {
    // null: the broker cancelled the consumer; the channel close that follows abandons the waiters.
    if (!msg) return;
    const correlationId = msg.properties.correlationId as string | undefined;
    const waiter = correlationId ? this.waiters.get(correlationId) : undefined;
    if (!waiter) {
      this.log.debug({ correlationId }, 'reply for no waiting request (it timed out), dropped');
      return;
    }
    waiter.onReply(msg.content);
  }

  private parseReply<T>(content: Buffer, schema: z.ZodType<T>, queue: string): RpcResult<T> {
    let json: unknown;
    try {
      json = JSON.parse(content.toString('utf8'));
    } catch (err) {
      this.log.error({ err, queue }, 'unparseable reply');
      return { timedOut: true, reason: 'bad-reply' };
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
