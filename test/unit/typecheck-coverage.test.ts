import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT } from '../../common/src/paths';

/**
 * `npm run typecheck` (tsc -p tsconfig.json --noEmit) must see every test file:
 * ts-jest runs them without type diagnostics, so a test outside tsconfig.json's
 * include would never be type-checked at all.
 */
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.git', '.run']);

function testFiles(dir: string, inTest = false): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(full, inTest || entry.name === 'test'));
    else if (inTest && entry.name.endsWith('.ts')) out.push(path.relative(REPO_ROOT, full));
  }
  return out;
}

describe('the typecheck covers the tests', () => {
  test('when tsconfig.json is read, then every .ts file under a test/ folder is in the program', () => {
    const configPath = path.join(REPO_ROOT, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
    expect(error).toBeUndefined();
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configPath);
    const checked = new Set(parsed.fileNames.map((f) => path.relative(REPO_ROOT, f)));

    const tests = testFiles(REPO_ROOT);
    for (const folder of ['test', 'tools/test', 'contracts/test', 'api-gateway/test']) expect(tests.some((f) => f.startsWith(`${folder}/`))).toBe(true);
    expect(tests.filter((f) => !checked.has(f))).toEqual([]);
    expect(checked.has('test/global-setup.ts')).toBe(true);
  });
});
