import amqp, { type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../logger';
import { coalesceWrites } from './coalesce-writes';
import { assertTopology, type Topology } from './topology';

export type ChannelSetup = (ch: ConfirmChannel) => Promise<void>;

export interface ConnectionOptions {
  url: string;
  log: Logger;
  topology: Topology;
  deliveryLimit: number;
}

/** A channel that is re-opened on every reconnect; `current` is null while it is down. */
export interface ChannelSlot {
  readonly current: ConfirmChannel | null;
}

interface SlotSpec {
  prefetch: number | null;
  setup: ChannelSetup;
  slot: { current: ConfirmChannel | null };
}

/**
 * One long-lived connection per process (noDelay: amqplib leaves Nagle on, which
 * makes request/reply several times slower; and the frames of one turn leave
 * in one write, coalesce-writes.ts). amqplib's own recovery reconnects
 * with backoff; after every (re)connect this asserts the topology, then opens
 * each registered channel again and runs its setup (the publisher's channel,
 * one per consumer).
 */
export class BrokerConnection {
  private model: RecoveringChannelModel | null = null;
  private inner: ChannelModel | null = null;
  private readonly slots: SlotSpec[] = [];
  private up = false;
  private stopping = false;

  constructor(private readonly options: ConnectionOptions) {}

  get log(): Logger {
    return this.options.log;
  }

  get topology(): Topology {
    return this.options.topology;
  }

  /** Connected, with every registered channel open. */
  get isReady(): boolean {
    return this.up && this.slots.every((s) => s.slot.current !== null);
  }

  /**
   * Register a confirm channel, opened (with this prefetch, when given) on
   * every connect before its setup runs. Register before start().
   */
  openChannel(setup: ChannelSetup, prefetch: number | null = null): ChannelSlot {
    const spec: SlotSpec = { prefetch, setup, slot: { current: null } };
    this.slots.push(spec);
    return spec.slot;
  }

  async start(options: { waitForConnect: boolean } = { waitForConnect: true }): Promise<void> {
    const log = this.options.log;
    this.model = await amqp.connect(this.options.url, {
      noDelay: true,
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    this.model.on('connect', () => log.info('broker connected'));
    this.model.on('disconnect', (err) => {
      this.up = false;
      for (const s of this.slots) s.slot.current = null;
      log.warn({ err }, 'broker connection lost, reconnecting');
    });
    this.model.on('connect-failed', (err) => log.warn({ err: err.message }, 'broker connection attempt failed'));
    this.model.on('error', (err) => log.warn({ err }, 'broker connection error'));
    if (options.waitForConnect) await this.model.waitForConnect();
  }

  private async setup(model: ChannelModel): Promise<void> {
    if (!coalesceWrites(model.connection)) this.options.log.warn('amqplib connection has no stream to cork: every frame is written on its own');
    const admin = await model.createChannel();
    await assertTopology(admin, this.options.topology, this.options.deliveryLimit);
    await admin.close();
    this.inner = model;
    for (const spec of this.slots) {
      const ch = await model.createConfirmChannel();
      ch.on('error', (err) => this.options.log.error({ err }, 'broker channel error'));
      ch.on('close', () => {
        if (spec.slot.current !== ch) return;
        spec.slot.current = null;
        // A channel can die while its connection lives (e.g. a refused
        // operation). Closing the connection hands recovery back to amqplib,
        // which reconnects and opens every channel again.
        if (!this.stopping) model.close().catch(() => undefined);
      });
      if (spec.prefetch !== null) await ch.prefetch(spec.prefetch);
      await spec.setup(ch);
      spec.slot.current = ch;
    }
    this.up = true;
  }

  /** Close for good: unacked messages of its channels go back to their queues. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.model?.close().catch(() => undefined);
    this.up = false;
    for (const s of this.slots) s.slot.current = null;
    this.inner = null;
  }

  /** Test hook: drop the connection as a broker restart would (recovery reconnects). */
  async dropConnection(): Promise<void> {
    await this.inner?.close().catch(() => undefined);
  }
}
