/**
 * BENCHMARKS.md keeps a short history: each run writes one named section
 * between markers and leaves every other section as it is.
 *
 *   <!-- bench:begin latest -->
 *   ## Latest run (…)
 *   …
 *   <!-- bench:end latest -->
 *
 * `npm run bench` replaces the section `latest`; `npm run bench -- --section
 * before-issue-8 --title "…"` writes (or replaces) that one instead, and later
 * runs never touch it. The file's header (above the first section) is rewritten
 * each time. A file written before sections existed is kept, as the section
 * `earlier`, its headings one level down.
 */

export const LATEST = 'latest';
const SECTION_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const BLOCK = /<!-- bench:begin ([a-z0-9-]+) -->\n([\s\S]*?)\n<!-- bench:end \1 -->/g;

export interface Section {
  id: string;
  /** The content between the markers (its own heading included), without the markers. */
  body: string;
}

export function isSectionId(id: string): boolean {
  return SECTION_ID.test(id);
}

/** The sections of a BENCHMARKS.md, in file order; a file without markers but with content gives one section, `earlier`. */
export function parseSections(text: string): Section[] {
  const sections: Section[] = [];
  for (const m of text.matchAll(BLOCK)) sections.push({ id: m[1]!, body: m[2]! });
  if (sections.length > 0) return sections;
  const legacy = legacySection(text);
  return legacy ? [legacy] : [];
}

/** The whole file: header, then the sections, `id` written with `body` (in place if it was there, else first after `latest`). */
export function upsertSection(text: string, header: string, id: string, body: string): string {
  if (!isSectionId(id)) throw new Error(`section id must be lower-case letters, digits and -, got '${id}'`);
  const sections = parseSections(text);
  const at = sections.findIndex((s) => s.id === id);
  const section = { id, body: body.trim() };
  if (at >= 0) sections[at] = section;
  else if (id === LATEST) sections.unshift(section);
  else sections.splice(sections[0]?.id === LATEST ? 1 : 0, 0, section);
  const blocks = sections.map((s) => `<!-- bench:begin ${s.id} -->\n${s.body}\n<!-- bench:end ${s.id} -->`);
  return `${[header.trim(), ...blocks].join('\n\n')}\n`;
}

/** The content of a file written before sections existed, headings one level down, under its own heading. */
function legacySection(text: string): Section | null {
  const lines = text.trim().split('\n');
  if (lines.length === 0 || lines[0] === '') return null;
  if (/^# /.test(lines[0]!)) lines.shift();
  let fenced = false;
  const body = lines
    .map((l) => {
      if (l.startsWith('```')) fenced = !fenced;
      return !fenced && /^#{1,5} /.test(l) ? `#${l}` : l;
    })
    .join('\n')
    .trim();
  if (body === '') return null;
  return { id: 'earlier', body: `## Earlier run (written before the bench kept sections)\n\n${body}` };
}
