import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * setup.sh brings the whole system up, which a test cannot do without touching the machine's
 * services; these checks run nothing that has side effects: syntax, the executable bit a fresh
 * clone needs for ./setup.sh, and argument handling that fails before any work.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SETUP = path.join(ROOT, 'setup.sh');

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, CI: 'true' } });
}

describe('setup.sh', () => {
  test('when checked by bash -n, then its syntax is valid', () => {
    const result = run('bash', ['-n', SETUP]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('when cloned, then it is executable, so ./setup.sh works', () => {
    const mode = fs.statSync(SETUP).mode;
    expect(mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(SETUP, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\n(.*\n)*set -euo pipefail\n/);
  });

  test('when asked for help, then it names its commands and the --workers option, and exits 0', () => {
    const result = run(SETUP, ['--help']);
    expect(result.status).toBe(0);
    for (const word of ['--workers', 'stop', 'status']) expect(result.stdout).toContain(word);
  });

  test('when given a bad worker count or an unknown option, then it refuses before doing anything', () => {
    const zero = run(SETUP, ['--workers', '0']);
    expect(zero.status).not.toBe(0);
    expect(zero.stderr).toContain('--workers must be a positive integer');
    const unknown = run(SETUP, ['--frobnicate']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('unknown argument: --frobnicate');
  });
});

describe('.ci/run', () => {
  test('when checked by bash -n, then its syntax is valid and it runs the README test command', () => {
    const ci = path.join(ROOT, '.ci', 'run');
    const result = run('bash', ['-n', ci]);
    expect(result.status).toBe(0);
    const text = fs.readFileSync(ci, 'utf8');
    expect(text).toContain('set -euo pipefail');
    expect(text).toMatch(/^npm test$/m);
  });
});
