/**
 * Keep a StockLevels view current from the stock-levels fanout exchange. On
 * every (re)connect: distrust the view, bind a queue of our own (exclusive,
 * deleted with the connection) to the exchange and consume it, then load a
 * snapshot of every product's levels and trust the view. Events that arrive
 * while the snapshot loads are applied as they come: versions decide which
 * level wins, whatever the order. A snapshot that fails is tried again while
 * the channel lives; until one succeeds the view stays untrusted, so nothing is
 * refused from it.
 */
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { type StockLevelsMessage, stockLevelsMessage } from '../../../contracts/messages';
import type { StockLevel } from '../../../contracts/stock';
import type { BrokerConnection } from '../amqp/connection';
import type { Logger } from '../logger';
import type { StockLevels } from './view';

export interface StockLevelsSubscriptionOptions {
  connection: BrokerConnection;
  exchange: string;
  levels: StockLevels;
  /** Every product's committed levels, read from the database. */
  loadSnapshot(): Promise<StockLevel[]>;
  log: Logger;
  /** Pause between failed snapshot loads. */
  retryMs?: number;
}

/** Register the subscription's channel; it opens with the connection (call before the broker starts). */
export function subscribeStockLevels(options: StockLevelsSubscriptionOptions): void {
  const { connection, exchange, levels, log } = options;
  connection.openChannel(async (ch) => {
    levels.distrust();
    ch.on('close', () => levels.distrust());
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false, arguments: { 'x-queue-type': 'classic' } });
    await ch.bindQueue(queue, exchange, '');
    await ch.consume(queue, (msg) => onMessage(msg, levels, log), { noAck: true });
    void loadUntilDone(ch, options);
  });
}

function onMessage(msg: ConsumeMessage | null, levels: StockLevels, log: Logger): void {
  if (!msg) return;
  let body: StockLevelsMessage;
  try {
    body = stockLevelsMessage.parse(JSON.parse(msg.content.toString('utf8')));
  } catch (err) {
    log.warn({ err }, 'stock levels message does not parse, ignored');
    return;
  }
  for (const level of body.levels) levels.apply(level);
}

async function loadUntilDone(ch: ConfirmChannel, options: StockLevelsSubscriptionOptions): Promise<void> {
  let closed = false;
  ch.once('close', () => (closed = true));
  for (let attempt = 1; !closed; attempt++) {
    try {
      const snapshot = await options.loadSnapshot();
      if (closed) return;
      for (const level of snapshot) options.levels.apply(level);
      options.levels.trust();
      options.log.debug({ products: snapshot.length }, 'stock levels snapshot loaded');
      return;
    } catch (err) {
      if (attempt === 1) options.log.warn({ err }, 'stock levels snapshot failed: refusing nothing from pushed levels until it loads');
      await new Promise((r) => setTimeout(r, options.retryMs ?? 1_000));
    }
  }
}
