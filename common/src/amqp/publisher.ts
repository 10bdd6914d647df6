import { randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { BUNDLE_HEADER, type BundledReply, chunks } from './bundle';
import type { BrokerConnection, ChannelSetup, ChannelSlot } from './connection';

/**
 * Publishes on one confirm channel: persistent JSON messages that resolve once
 * the broker has stored them, and best-effort replies.
 */
export class Publisher {
  private readonly setups: ChannelSetup[] = [];
  private readonly slot: ChannelSlot;
  /** Replies to bundled requests, by reply address, sent together at the end of the turn. */
  private readonly bundledReplies = new Map<string, BundledReply[]>();
  private repliesScheduled = false;

  constructor(private readonly connection: BrokerConnection) {
    this.slot = connection.openChannel(async (ch) => {
      for (const setup of this.setups) await setup(ch);
    });
  }

  /**
   * Run work on the publishing channel after every (re)connect, e.g. the
   * direct reply-to consumer, which must live on the channel that publishes
   * the requests. Register before the connection starts.
   */
  onChannel(setup: ChannelSetup): void {
    this.setups.push(setup);
  }

  /** Publish a persistent JSON message and resolve once the broker confirms it is stored. */
  async publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const ch = this.slot.current;
    if (!ch) throw new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'message broker unavailable', retryable: true });
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
  reply(ctx: { replyTo?: string; correlationId?: string; bundled?: boolean }, body: unknown, log: Logger | (() => Logger)): void {
    if (!ctx.replyTo) return;
    if (ctx.bundled && ctx.correlationId) {
      // A bundle in, a bundle out: the replies of this turn to the same address travel together.
      const list = this.bundledReplies.get(ctx.replyTo);
      if (list) list.push({ correlationId: ctx.correlationId, body });
      else this.bundledReplies.set(ctx.replyTo, [{ correlationId: ctx.correlationId, body }]);
      if (!this.repliesScheduled) {
        this.repliesScheduled = true;
        setImmediate(() => this.flushReplies());
      }
      return;
    }
    // A function: the message's logger is only made if a line is written (reply.ts callers pass () => ctx.log).
    const logger = (): Logger => (typeof log === 'function' ? log() : log);
    const ch = this.slot.current;
    if (!ch) {
      logger().warn('no broker channel, reply dropped');
      return;
    }
    try {
      ch.publish('', ctx.replyTo, Buffer.from(JSON.stringify(body)), { correlationId: ctx.correlationId, contentType: 'application/json' });
    } catch (err) {
      logger().warn({ err }, 'reply dropped');
    }
  }

  private flushReplies(): void {
    this.repliesScheduled = false;
    const ch = this.slot.current;
    for (const [replyTo, items] of this.bundledReplies) {
      if (!ch) {
        this.connection.log.warn({ replies: items.length }, 'no broker channel, replies dropped');
        continue;
      }
      for (const part of chunks(items)) {
        try {
          if (part.length === 1) ch.publish('', replyTo, Buffer.from(JSON.stringify(part[0]!.body)), { correlationId: part[0]!.correlationId, contentType: 'application/json' });
          else ch.publish('', replyTo, Buffer.from(JSON.stringify({ items: part })), { contentType: 'application/json', headers: { [BUNDLE_HEADER]: part.length } });
        } catch (err) {
          this.connection.log.warn({ err, replies: part.length }, 'replies dropped');
        }
      }
    }
    this.bundledReplies.clear();
  }
}
