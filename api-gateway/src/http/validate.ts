import type { z } from 'zod';
import { AppError } from '../../../common/src/errors';

type Issue = z.ZodError['issues'][number];

function fieldName(path: ReadonlyArray<PropertyKey>, root: string): string {
  if (path.length === 0) return root;
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * "quantity must be an integer from 1 to 100; clientID is required": each
 * message names its field (the schemas word their messages to follow it), and a
 * field that breaks several checks is reported once.
 */
export function describeIssues(issues: ReadonlyArray<Issue>, root: string): string {
  const messages = new Set<string>();
  for (const issue of issues) messages.add(`${fieldName(issue.path, root)} ${issue.message}`);
  return [...messages].join('; ');
}

/** Parse one part of a request (body, params, query, headers) or throw 400 INVALID_REQUEST. */
export function parseRequestPart<S extends z.ZodType>(schema: S, input: unknown, root: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError({ code: 'INVALID_REQUEST', message: describeIssues(parsed.error.issues, root) });
  return parsed.data;
}
