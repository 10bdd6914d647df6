/**
 * The key of a row as the database sees it. The cart manager's tables collate
 * utf8mb4_bin, which is PAD SPACE: trailing spaces do not count ('alice' and
 * 'alice ' are the same client, the same primary key). A batch keeps its rows
 * in maps by this key, so that two messages the database would put on one row
 * are one entry in memory too.
 */
export function rowKey(...parts: string[]): string {
  // One part (most calls, thousands per batch): the trimmed id itself; several: a JSON array, which
  // no single trimmed id can equal (a map is keyed by one arity anyway).
  if (parts.length === 1) return trimSpaces(parts[0]!);
  return JSON.stringify(parts.map(trimSpaces));
}

function trimSpaces(p: string): string {
  return p.endsWith(' ') ? p.replace(/ +$/, '') : p;
}
