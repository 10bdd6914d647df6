/**
 * The one rule for an id that comes from outside (a client id, a product id,
 * an Idempotency-Key): every entry applies it, the gateway's body, path, query
 * and headers, the inventory manager's gRPC calls, the worker messages and the
 * seed command, so an id is stored, compared and hashed as exactly what was sent.
 *
 * - 1 to 100 characters (UTF-16 code units, as JavaScript counts; the columns
 *   are VARCHAR(100) of code points, so any such id fits);
 * - no whitespace at either end: the id columns compare exactly (NO PAD,
 *   db/migrations/003), but a trailing space is invisible in every log and form;
 * - no control characters (Unicode category Cc: C0, DEL, C1);
 * - no lone surrogate: UTF-8 cannot encode one, so the driver and the hash
 *   would store U+FFFD instead, and two different ids would become one.
 */
import type { z } from 'zod';

export const ID_MAX_LENGTH = 100;

export const ID_LENGTH_PROBLEM = `must be 1 to ${ID_MAX_LENGTH} characters`;

const CONTROL = /\p{Cc}/u;

/** What is wrong with `value` as an id, worded to follow the field's name ("productID must ..."), or null if nothing is. */
export function idProblem(value: string): string | null {
  if (value.length < 1 || value.length > ID_MAX_LENGTH) return ID_LENGTH_PROBLEM;
  if (!value.isWellFormed()) return 'must not contain a lone surrogate (an unpaired \\uD800-\\uDFFF escape)';
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (value.trim() !== value) return 'must not start or end with whitespace';
  return null;
}

/**
 * `schema` held to the id rule: a string that breaks it fails with idProblem's
 * words as its message (the issue's path names the field). Every zod entry
 * (the gateway's contract, the worker messages, the seed command) checks ids so.
 */
export function withIdRule<S extends z.ZodString>(schema: S): S {
  return schema.refine((value) => idProblem(value) === null, { error: (issue) => idProblem(String(issue.input)) ?? 'is not a valid id' }) as unknown as S;
}
