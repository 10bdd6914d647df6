import { type PoolConnection, type RowDataPacket, isDuplicateKey } from '../../../common/src/db';
import { rowKey } from '../domain/row-key';

/**
 * processed_messages: the ids of the messages this service has applied, with
 * what it answered. Written in the transaction that applies the message, so a
 * redelivery finds it and replays the outcome instead of applying it twice.
 */

/** The outcomes recorded for these message ids, by rowKey(message id); ids never applied are absent. */
export async function findOutcomes<T>(conn: PoolConnection, messageIds: readonly string[]): Promise<Map<string, T>> {
  if (messageIds.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT message_id, outcome FROM processed_messages WHERE message_id IN (?)', [[...new Set(messageIds)]]);
  // MariaDB's JSON is LONGTEXT underneath: it comes back as a string.
  return new Map(rows.map((r) => [rowKey(r.message_id as string), (typeof r.outcome === 'string' ? JSON.parse(r.outcome) : r.outcome) as T]));
}

/**
 * Record that these message ids are applied, with their outcomes, in one
 * statement. False when one of them is recorded already (another worker
 * applied it, or is applying it right now: the insert waited for it): nothing
 * of the statement is written, and the caller starts its transaction over.
 */
export async function recordOutcomes(conn: PoolConnection, records: readonly { messageId: string; outcome: unknown }[]): Promise<boolean> {
  if (records.length === 0) return true;
  try {
    await conn.query('INSERT INTO processed_messages (message_id, outcome) VALUES ?', [records.map((r) => [r.messageId, JSON.stringify(r.outcome)])]);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
