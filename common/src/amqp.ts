import { randomUUID } from 'node:crypto';
import amqp, {
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Options,
  type RecoveringChannelModel,
} from 'amqplib';
import type { z } from 'zod';
import { AppError, isRetryable } from './errors';
import type { Logger } from './logger';
import { assertTopology, type Topology } from './topology';

export interface BrokerOptions {
  url: string;
  log: Logger;
  topology: Topology;
  deliveryLimit: number;
  /** Unacked deliveries per consumer channel: bounds in-flight work per process. */
  prefetch: number;
}

export type ChannelSetup = (ch: ConfirmChannel) => Promise<void>;

/** A message that can never succeed (bad shape): dead-letter it at once, no retry. */
export class PermanentMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

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

/**
 * One long-lived connection per process (noDelay: amqplib leaves Nagle on, which
 * makes request/reply several times slower), one confirm channel reused for
 * publishing and consuming. amqplib's own recovery reconnects with backoff and
 * re-runs our setup (topology, consumers) after every reconnect.
 */
export class Broker {
  private model: RecoveringChannelModel | null = null;
  private inner: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private readonly setups: ChannelSetup[] = [];
  private readonly consumerTags = new Set<string>();
  private inFlight = 0;
  private stopping = false;
  private consuming = true;

  constructor(private readonly options: BrokerOptions) {}

  get isReady(): boolean {
    return this.channel !== null;
  }

  /** Messages taken and not yet acked or nacked (the worker's work in flight). */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Register work to run on every new channel (consumers, reply-to). Call before start(). */
  onChannel(setup: ChannelSetup): void {
    this.setups.push(setup);
  }

  async start(options: { waitForConnect: boolean } = { waitForConnect: true }): Promise<void> {
    const log = this.options.log;
    this.model = await amqp.connect(this.options.url, {
      noDelay: true,
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setupChannel(model),
      },
    });
    this.model.on('connect', () => log.info('broker connected'));
    this.model.on('disconnect', (err) => {
      this.channel = null;
      log.warn({ err }, 'broker connection lost, reconnecting');
    });
    this.model.on('connect-failed', (err) => log.warn({ err: err.message }, 'broker connection attempt failed'));
    this.model.on('error', (err) => log.warn({ err }, 'broker connection error'));
    if (options.waitForConnect) await this.model.waitForConnect();
  }

  private async setupChannel(model: ChannelModel): Promise<void> {
    const ch = await model.createConfirmChannel();
    ch.on('error', (err) => this.options.log.error({ err }, 'broker channel error'));
    ch.on('close', () => {
      if (this.channel !== ch) return;
      this.channel = null;
      // A channel can die while its connection lives (e.g. a refused
      // operation). Closing the connection hands recovery back to amqplib,
      // which reconnects and runs this setup again.
      if (!this.stopping) model.close().catch(() => undefined);
    });
    await ch.prefetch(this.options.prefetch);
    await assertTopology(ch, this.options.topology, this.options.deliveryLimit);
    this.inner = model;
    this.consumerTags.clear();
    for (const setup of this.setups) await setup(ch);
    this.channel = ch;
  }

  private requireChannel(): ConfirmChannel {
    if (!this.channel) {
      throw new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'message broker unavailable', retryable: true });
    }
    return this.channel;
  }

  /** Publish a persistent JSON message and resolve once the broker confirms it is stored. */
  async publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const ch = this.requireChannel();
    await new Promise<void>((resolve, reject) => {
      ch.publish(
        exchange,
        routingKey,
        Buffer.from(JSON.stringify(body)),
        { persistent: true, contentType: 'application/json', messageId: randomUUID(), ...options },
        (err) =>
          err
            ? reject(new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'message broker did not confirm the publish', retryable: true, cause: err }))
            : resolve(),
      );
    });
  }

  async sendToQueue(queue: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    await this.publish('', queue, body, options);
  }

  /**
   * Answer a request on its replyTo (direct reply-to). Best effort: the state is
   * already durable; a lost reply only means the client polls the order.
   */
  reply(ctx: { replyTo?: string; correlationId?: string }, body: unknown, log: Logger): void {
    if (!ctx.replyTo) return;
    const ch = this.channel;
    if (!ch) {
      log.warn('no broker channel, reply dropped');
      return;
    }
    try {
      ch.publish('', ctx.replyTo, Buffer.from(JSON.stringify(body)), {
        correlationId: ctx.correlationId,
        contentType: 'application/json',
      });
    } catch (err) {
      log.warn({ err }, 'reply dropped');
    }
  }

  /** Consume a queue with manual acks: ack only once the handler's effect is durable. */
  consume<T>(spec: ConsumerSpec<T>): void {
    this.onChannel(async (ch) => {
      const { consumerTag } = await ch.consume(spec.queue, (msg) => {
        if (msg) void this.handle(ch, spec, msg);
      }, { noAck: false });
      this.consumerTags.add(consumerTag);
    });
  }

  private async handle<T>(ch: ConfirmChannel, spec: ConsumerSpec<T>, msg: ConsumeMessage): Promise<void> {
    this.inFlight++;
    const props = msg.properties;
    const deliveryCount = Number(props.headers?.['x-delivery-count'] ?? 0);
    let log = this.options.log.child({ queue: spec.queue, messageId: props.messageId, deliveryCount });
    try {
      let message: T;
      try {
        const parsed = spec.schema.safeParse(JSON.parse(msg.content.toString('utf8')));
        if (!parsed.success) throw new PermanentMessageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        message = parsed.data;
      } catch (err) {
        throw err instanceof PermanentMessageError ? err : new PermanentMessageError(`unparseable message: ${(err as Error).message}`);
      }
      if (spec.logFields) log = log.child(spec.logFields(message));
      await spec.handler(message, {
        log,
        messageId: String(props.messageId ?? ''),
        replyTo: props.replyTo,
        correlationId: props.correlationId,
        redelivered: msg.fields.redelivered,
        deliveryCount,
      });
      safely(() => ch.ack(msg));
    } catch (err) {
      if (err instanceof PermanentMessageError) {
        log.error({ err: err.message }, 'message rejected to the dead-letter queue');
        await this.deadLetter(ch, spec.queue, msg, err.message);
      } else {
        // Requeue after a pause; the quorum queue counts deliveries and
        // dead-letters the message once x-delivery-limit is reached.
        log.warn({ err, retryable: isRetryable(err) }, 'message failed, requeueing');
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** Math.min(deliveryCount, 5), 5_000)));
        safely(() => ch.nack(msg, false, true));
      }
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Park a message that can never succeed in the dead-letter queue with the
   * reason in its headers (a plain nack would lose the why), then ack it. If
   * that publish is not confirmed, fall back to the queue's own dead-lettering.
   */
  private async deadLetter(ch: ConfirmChannel, queue: string, msg: ConsumeMessage, reason: string): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) =>
        ch.publish(
          this.options.topology.deadLetterExchange,
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

  /** Stop taking new messages; in-flight handlers keep running and ack. */
  async stopConsuming(): Promise<void> {
    this.consuming = false;
    const ch = this.channel;
    if (!ch) return;
    for (const tag of this.consumerTags) await ch.cancel(tag).catch(() => undefined);
    this.consumerTags.clear();
  }

  /** Graceful stop: cancel consumers, let in-flight work finish (bounded), close. */
  async stop(drainMs = 10_000): Promise<void> {
    if (this.consuming) await this.stopConsuming();
    const deadline = Date.now() + drainMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopping = true;
    // Unacked messages of a closed channel go back to the queue: nothing is lost.
    await this.model?.close().catch(() => undefined);
    this.channel = null;
    this.inner = null;
  }

  /** Test hook: drop the connection as a broker restart would. */
  async dropConnection(): Promise<void> {
    await this.inner?.close().catch(() => undefined);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel is gone: the broker redelivers the unacked message.
  }
}
