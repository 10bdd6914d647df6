import { randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { BrokerConnection, ChannelSetup, ChannelSlot } from './connection';

/**
 * Publishes on one confirm channel: persistent JSON messages that resolve once
 * the broker has stored them, and best-effort replies.
 */
export class Publisher {
  private readonly setups: ChannelSetup[] = [];
  private readonly slot: ChannelSlot;

  constructor(connection: BrokerConnection) {
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
  reply(ctx: { replyTo?: string; correlationId?: string }, body: unknown, log: Logger | (() => Logger)): void {
    if (!ctx.replyTo) return;
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
}
