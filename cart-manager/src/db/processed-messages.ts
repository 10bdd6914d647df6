import { type PoolConnection, type RowDataPacket, isDuplicateKey } from '../../../common/src/db';

/**
 * processed_messages: the ids of the messages this service has applied, with
 * what it answered. Written in the transaction that applies the message, so a
 * redelivery finds it and replays the outcome instead of applying it twice.
 */

/** The outcome recorded for this message id, or null when it was never applied. */
export async function findOutcome<T>(conn: PoolConnection, messageId: string): Promise<T | null> {
  const [rows] = await conn.execute<RowDataPacket[]>('SELECT outcome FROM processed_messages WHERE message_id = ?', [messageId]);
  const row = rows[0];
  if (!row) return null;
  // MariaDB's JSON is LONGTEXT underneath: it comes back as a string.
  return (typeof row.outcome === 'string' ? JSON.parse(row.outcome) : row.outcome) as T;
}

/**
 * Record that this message id is applied, with its outcome. False when it is
 * recorded already (another worker applied it, or is applying it right now).
 */
export async function recordOutcome(conn: PoolConnection, messageId: string, outcome: unknown): Promise<boolean> {
  try {
    await conn.execute('INSERT INTO processed_messages (message_id, outcome) VALUES (?, ?)', [messageId, JSON.stringify(outcome)]);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
