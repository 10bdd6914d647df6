import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CpuProfile, selfTimes, topSelfTime } from '../../../lib/cpu-profile';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0 });

function profile(root: string): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('hot', pathToFileURL(path.join(root, 'dist', 'a.js')).href, 9) },
      { id: 4, callFrame: frame('(garbage collector)') },
      { id: 5, callFrame: frame('', pathToFileURL(path.join(root, 'node_modules', 'x', 'y.js')).href, 0) },
      // The same function reached through another path: its time adds up.
      { id: 6, callFrame: frame('hot', pathToFileURL(path.join(root, 'dist', 'a.js')).href, 9) },
    ],
    startTime: 0,
    // Sample i lasts until sample i+1; the last one until endTime.
    samples: [3, 2, 3, 4, 5, 6],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
    endTime: 7000,
  };
}

describe('CPU profile summary', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fs-profile-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('when samples are read, then each lasts until the next one and the last until the end of the profile', () => {
    expect([...selfTimes(profile(root)).entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [2, 1000],
      [3, 2000],
      [4, 1000],
      [5, 1000],
      [6, 2000],
    ]);
  });

  test('when the top is taken, then idle is left out, one function through two paths counts once, and shares are of the busy time', () => {
    const top = topSelfTime(profile(root), { root, mapSources: false });
    expect(top.totalMs).toBe(7);
    expect(top.idleMs).toBe(1);
    expect(top.entries).toEqual([
      { functionName: 'hot', location: path.join('dist', 'a.js:10'), selfMs: 4, percent: 66.7 },
      { functionName: '(garbage collector)', location: '', selfMs: 1, percent: 16.7 },
      { functionName: '(anonymous)', location: path.join('node_modules', 'x', 'y.js:1'), selfMs: 1, percent: 16.7 },
    ]);
    expect(topSelfTime(profile(root), { root, limit: 1, mapSources: false }).entries).toHaveLength(1);
  });

  test('when a builtin without source takes time, then it is told apart by its nearest caller outside node itself', () => {
    const mysql = pathToFileURL(path.join(root, 'node_modules', 'mysql2', 'c.js')).href;
    const pino = pathToFileURL(path.join(root, 'node_modules', 'pino', 'p.js')).href;
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5] },
        { id: 2, callFrame: frame('write', mysql, 345), children: [3] },
        { id: 3, callFrame: frame('writeGeneric', 'node:internal/stream_base_commons', 150), children: [4] },
        { id: 4, callFrame: frame('writeBuffer') },
        { id: 5, callFrame: frame('log', pino, 9), children: [6] },
        { id: 6, callFrame: frame('writeBuffer') },
      ],
      startTime: 0,
      samples: [4, 4, 6],
      timeDeltas: [0, 1000, 1000],
      endTime: 3000,
    };
    expect(topSelfTime(p, { root, mapSources: false }).entries).toEqual([
      { functionName: 'writeBuffer', location: '', via: `write ${path.join('node_modules', 'mysql2', 'c.js:346')}`, selfMs: 2, percent: 66.7 },
      { functionName: 'writeBuffer', location: '', via: `log ${path.join('node_modules', 'pino', 'p.js:10')}`, selfMs: 1, percent: 33.3 },
    ]);
  });

  test('when a compiled file has a source map, then its location is the TypeScript line', () => {
    const dist = path.join(root, 'dist');
    require('node:fs').mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'a.js'), '// compiled\n');
    // Generated line 10 (0-based 9), column 0 -> source ../src/a.ts line 42 (0-based 41): "AAAA" per empty line, then "AAyCA" (line +41).
    const mappings = `${';'.repeat(9)}AAyCA`;
    writeFileSync(path.join(dist, 'a.js.map'), JSON.stringify({ version: 3, file: 'a.js', sources: ['../src/a.ts'], names: [], mappings }));
    const top = topSelfTime(profile(root), { root });
    expect(top.entries[0]).toMatchObject({ functionName: 'hot', location: path.join('src', 'a.ts:42') });
  });
});
