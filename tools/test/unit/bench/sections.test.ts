import { parseSections, upsertSection } from '../../../bench/sections';

const HEADER = '# Benchmarks\n\nWritten by npm run bench.';

describe('BENCHMARKS.md sections', () => {
  test('when a named section exists, then a later run replaces only latest and leaves the named one as it is', () => {
    let text = upsertSection('', HEADER, 'before-issue-8', '## Before (issue 8 start, abc1234)\n\nold numbers');
    text = upsertSection(text, HEADER, 'latest', '## Latest run\n\nfirst');
    text = upsertSection(text, HEADER, 'latest', '## Latest run\n\nsecond');
    expect(parseSections(text)).toEqual([
      { id: 'latest', body: '## Latest run\n\nsecond' },
      { id: 'before-issue-8', body: '## Before (issue 8 start, abc1234)\n\nold numbers' },
    ]);
    expect(text.startsWith(`${HEADER}\n\n<!-- bench:begin latest -->\n## Latest run`)).toBe(true);
    expect(text.match(/bench:begin/g)).toHaveLength(2);
  });

  test('when a new named section is written, then it goes right after latest, newest history first, and is replaced in place later', () => {
    let text = upsertSection('', HEADER, 'latest', '## L');
    text = upsertSection(text, HEADER, 'first', '## 1');
    text = upsertSection(text, HEADER, 'second', '## 2');
    text = upsertSection(text, HEADER, 'first', '## 1 again');
    expect(parseSections(text).map((s) => `${s.id}=${s.body}`)).toEqual(['latest=## L', 'second=## 2', 'first=## 1 again']);
  });

  test('when the file predates sections, then its content is kept as the section earlier, headings one level down (not inside code)', () => {
    const legacy = '# Benchmarks\n\nWritten on 2026-11-21.\n\n## Results\n\n```bash\n# a comment\n```\n| a |\n';
    const text = upsertSection(legacy, HEADER, 'latest', '## Latest');
    const sections = parseSections(text);
    expect(sections.map((s) => s.id)).toEqual(['latest', 'earlier']);
    expect(sections[1]!.body).toBe('## Earlier run (written before the bench kept sections)\n\nWritten on 2026-11-21.\n\n### Results\n\n```bash\n# a comment\n```\n| a |');
  });

  test('when a section id is not lower-case letters, digits and -, then it is refused', () => {
    expect(() => upsertSection('', HEADER, 'Before 8', 'x')).toThrow(/section id/);
  });
});
