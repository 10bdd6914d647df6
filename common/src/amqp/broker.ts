import type { Options } from 'amqplib';
import type { Logger } from '../logger';
import { BrokerConnection, type ChannelSetup } from './connection';
import { BatchConsumer, type BatchConsumerSpec, type BatchStats, Consumer, type ConsumerSpec } from './consume';
import { Publisher } from './publisher';
import type { Topology } from './topology';

export interface BrokerOptions {
  url: string;
  log: Logger;
  topology: Topology;
  deliveryLimit: number;
  /** Unacked deliveries per consumer: bounds in-flight work per process. */
  prefetch: number;
}

/**
 * What a service holds of RabbitMQ: one connection (with recovery), one
 * publisher (confirms) and its consumers, started and stopped together. The
 * work is in connection.ts, publisher.ts and consume.ts; this only wires them.
 */
export class Broker {
  readonly connection: BrokerConnection;
  readonly publisher: Publisher;
  private readonly consumers: { readonly inFlight: number; cancel(): Promise<void> }[] = [];
  /** Per batching queue: batches and deliveries so far (mean batch size = deliveries / batches). */
  readonly batchStats = new Map<string, BatchStats>();

  constructor(private readonly options: BrokerOptions) {
    this.connection = new BrokerConnection(options);
    this.publisher = new Publisher(this.connection);
  }

  get isReady(): boolean {
    return this.connection.isReady;
  }

  /** Messages taken and not yet acked or nacked (the worker's work in flight). */
  get inFlightCount(): number {
    return this.consumers.reduce((n, c) => n + c.inFlight, 0);
  }

  /** Work to run on the publishing channel after every connect (direct reply-to). Call before start(). */
  onChannel(setup: ChannelSetup): void {
    this.publisher.onChannel(setup);
  }

  /** Consume a queue on its own channel. Call before start(). */
  consume<T>(spec: ConsumerSpec<T>): void {
    this.consumers.push(new Consumer(this.connection, spec, { prefetch: this.options.prefetch }));
  }

  /** Consume a queue in adaptive batches (see BatchConsumer), on its own channel. Call before start(). */
  consumeBatches<T>(spec: BatchConsumerSpec<T>): void {
    const consumer = new BatchConsumer(this.connection, spec);
    this.batchStats.set(spec.queue, consumer.stats);
    this.consumers.push(consumer);
  }

  async start(options: { waitForConnect: boolean } = { waitForConnect: true }): Promise<void> {
    await this.connection.start(options);
  }

  publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    return this.publisher.publish(exchange, routingKey, body, options);
  }

  sendToQueue(queue: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    return this.publisher.sendToQueue(queue, body, options);
  }

  reply(ctx: { replyTo?: string; correlationId?: string; bundled?: boolean }, body: unknown, log: Logger | (() => Logger)): void {
    this.publisher.reply(ctx, body, log);
  }

  /** Stop taking new messages; in-flight handlers keep running and settle. */
  async stopConsuming(): Promise<void> {
    for (const consumer of this.consumers) await consumer.cancel();
  }

  /** Graceful stop: cancel consumers, let in-flight work finish (bounded), close. */
  async stop(drainMs = 10_000): Promise<void> {
    await this.stopConsuming();
    const deadline = Date.now() + drainMs;
    while (this.inFlightCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Unacked messages of a closed channel go back to the queue: nothing is lost.
    await this.connection.stop();
  }

  /** Test hook: drop the connection as a broker restart would. */
  async dropConnection(): Promise<void> {
    await this.connection.dropConnection();
  }
}
