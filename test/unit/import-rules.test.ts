import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../common/src/paths';

/**
 * The architecture's import rules are enforced by `npm run lint`
 * (eslint.config.mjs). Each case lints one import as if it stood in a real file
 * of that part of the tree; every imported path must exist (import-x checks
 * resolved files, and tsc refuses an import that resolves to nothing). ESLint runs in a child process: its config is an
 * ES module, which jest's module sandbox cannot load.
 */
type Case = [what: string, file: string, importLine: string];

const refused: Case[] = [
  ['common imports a service', 'common/src/errors.ts', "import { x } from '../../api-gateway/src/http/app';"],
  ['common imports db/', 'common/src/errors.ts', "import { x } from '../../db/audit';"],
  ['contracts import common', 'contracts/errors.ts', "import { x } from '../common/src/errors';"],
  ['one service imports another', 'cart-manager/src/main.ts', "import { x } from '../../checkout-manager/src/db/orders';"],
  ['a service imports the tools', 'api-gateway/src/http/app.ts', "import { x } from '../../../tools/lib/system';"],
  ['a tool imports a service internal', 'tools/lib/system.ts', "import { x } from '../../inventory-manager/src/db/inventory-repo';"],
  ['a system test imports a service internal', 'test/integration/checkout.test.ts', "import { x } from '../../checkout-manager/src/handlers/process-order';"],
  ["a service's test imports another service's internal", 'api-gateway/test/unit/app.test.ts', "import { x } from '../../../cart-manager/src/domain/pricing';"],
];

const allowed: Case[] = [
  ['a service imports common', 'cart-manager/src/main.ts', "import { x } from '../../common/src/errors';"],
  ['a service imports contracts', 'cart-manager/src/main.ts', "import { x } from '../../contracts/messages';"],
  ['a tool imports a config', 'tools/lib/system.ts', "import { x } from '../../api-gateway/src/config';"],
  ['a tool imports the seed entry point', 'tools/lib/system.ts', "import { x } from '../../inventory-manager/src/seed';"],
  ["a service's own test imports its internals", 'api-gateway/test/unit/app.test.ts', "import { x } from '../../src/http/app';"],
];

const LINT = `
const { ESLint } = require('eslint');
const cases = JSON.parse(process.argv[1]);
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, line] of cases) {
    const [result] = await eslint.lintText(line + '\\nexport const used = [x];\\n', { filePath: process.cwd() + '/' + file });
    out.push(result.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').length);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
`;

let counts: number[] = [];

beforeAll(() => {
  const cases = [...refused, ...allowed].map(([, file, line]) => [file, line]);
  counts = JSON.parse(execFileSync(process.execPath, ['-e', LINT, JSON.stringify(cases)], { cwd: REPO_ROOT, encoding: 'utf8' })) as number[];
}, 120_000);

describe('import rules', () => {
  test.each([...refused, ...allowed].map((c) => [c[0], c[1], c[2]] as const))('(%s: the file and the import exist)', (_what, file, line) => {
    const spec = /from '([^']+)'/.exec(line)![1]!;
    expect(existsSync(path.join(REPO_ROOT, file))).toBe(true);
    expect(existsSync(`${path.resolve(REPO_ROOT, path.dirname(file), spec)}.ts`)).toBe(true);
  });

  test.each(refused.map((c, i) => [c[0], i] as const))('when %s, then lint refuses it', (_what, i) => {
    expect(counts[i]).toBe(1);
  });

  test.each(allowed.map((c, i) => [c[0], refused.length + i] as const))('when %s, then lint allows it', (_what, i) => {
    expect(counts[i]).toBe(0);
  });
});
