/**
 * Administration of one system's RabbitMQ topology from outside: publish a raw
 * message (redelivery tests), read or drain the dead-letter queue, read a
 * queue's depth, and delete the whole topology afterwards. Each call opens its
 * own short connection.
 */
import amqp from 'amqplib';
import { deleteTopology, type Topology } from '../../common/src/amqp/topology';

export interface DeadLetter {
  /** The queue it was dead-lettered from. */
  queue: string;
  reason: string;
  body: string;
}

export class BrokerAdmin {
  constructor(
    readonly url: string,
    readonly topology: Topology,
  ) {}

  /** Publish a raw message to one of this topology's queues, confirmed. */
  async publishRaw(queue: string, body: unknown, properties: amqp.Options.Publish = {}): Promise<void> {
    await this.withConnection(async (conn) => {
      const ch = await conn.createConfirmChannel();
      await new Promise<void>((resolve, reject) =>
        ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', ...properties }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    });
  }

  /** Take every message off the dead-letter queue: [original queue, reason, body]. */
  async drainDeadLetters(): Promise<DeadLetter[]> {
    return this.withConnection(async (conn) => {
      const ch = await conn.createChannel();
      const queue = this.topology.deadLetterQueue;
      const out: DeadLetter[] = [];
      for (let msg = await ch.get(queue, { noAck: true }); msg; msg = await ch.get(queue, { noAck: true })) {
        const headers = msg.properties.headers ?? {};
        out.push({ queue: String(headers['x-original-queue'] ?? ''), reason: String(headers['x-rejection-reason'] ?? ''), body: msg.content.toString() });
      }
      return out;
    });
  }

  /** Messages ready in a queue; rejects when the queue does not exist. */
  async queueDepth(queue: string): Promise<number> {
    return this.withConnection(async (conn) => (await (await conn.createChannel()).checkQueue(queue)).messageCount);
  }

  /** Messages in the dead-letter queue, 0 when it does not exist; rejects when the broker cannot be reached. */
  async deadLetterDepth(): Promise<number> {
    return this.withConnection(async (conn) => {
      try {
        return (await (await conn.createChannel()).checkQueue(this.topology.deadLetterQueue)).messageCount;
      } catch {
        return 0;
      }
    });
  }

  /** Delete every queue and exchange of the topology. */
  async deleteTopology(): Promise<void> {
    await this.withConnection(async (conn) => deleteTopology(await conn.createChannel(), this.topology));
  }

  private async withConnection<T>(use: (conn: amqp.ChannelModel) => Promise<T>): Promise<T> {
    const conn = await amqp.connect(this.url, { noDelay: true });
    try {
      return await use(conn);
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
}
