import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSecondsFromStat, cpuSecondsOf, isRunning, ProcessSupervisor } from '../../../lib/processes';

describe('process supervision', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-supervisor-'));
  const script = path.join(dir, 'idle.js');
  writeFileSync(script, "console.log('up', process.env.GREETING); process.on('SIGTERM', () => process.exit(0)); setInterval(() => undefined, 1000);\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('when a process is spawned, then it runs with exactly the given environment, logs to its own file, and is counted until killed', async () => {
    const supervisor = new ProcessSupervisor(path.join(dir, 'logs'));
    const proc = supervisor.spawn('cart-manager', script, { PATH: process.env.PATH ?? '', GREETING: 'hello' }, { opsPort: 1234 });
    expect(proc.opsPort).toBe(1234);
    for (let i = 0; i < 100 && !readFileSync(proc.logFile, 'utf8').includes('up'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(proc.logFile, 'utf8')).toBe('up hello\n');
    expect(supervisor.running('cart-manager')).toEqual([proc]);
    expect(supervisor.peakMemoryMb()['cart-manager']).toBeGreaterThan(0);
    await supervisor.kill(proc);
    expect(proc.child.signalCode).toBe('SIGKILL');
    expect(isRunning(proc)).toBe(false);
    expect(supervisor.running('cart-manager')).toEqual([]);
    expect(supervisor.processes).toEqual([proc]);
  });

  test('when everything is stopped, then each process gets SIGTERM and is waited for', async () => {
    const supervisor = new ProcessSupervisor(path.join(dir, 'logs'));
    const procs = [supervisor.spawn('checkout-manager', script, { PATH: process.env.PATH ?? '' }), supervisor.spawn('checkout-manager', script, { PATH: process.env.PATH ?? '' })];
    supervisor.startSampling(50);
    await new Promise((r) => setTimeout(r, 200));
    await supervisor.stopAll();
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);
    expect(supervisor.running('checkout-manager')).toEqual([]);
  });
});

describe('CPU time from /proc/<pid>/stat', () => {
  test('when the command name holds spaces and parentheses, then utime and stime are still fields 14 and 15', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 123 456 789';
    expect(cpuSecondsFromStat(stat, 100)).toBe(3);
  });

  test('when this process is read, then its CPU time is a positive number', () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOf(2 ** 30)).toBeNull();
  });
});
