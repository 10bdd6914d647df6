/**
 * Process supervision: spawn a service as a real node process with its output
 * in its own log file (not through this process, which may be busy driving
 * thousands of buyers), kill it, wait for it, and sample its peak memory and
 * the CPU time it has used. With a CPU profile directory, every process runs
 * under node's sampling profiler (--cpu-prof) and writes its profile there
 * when it exits normally (SIGTERM, then its own shutdown; not on SIGKILL).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceName } from './services';

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  /** The gateway's HTTP port, the inventory manager's gRPC port (workers have none). */
  port?: number;
  /** Port of its /metrics, /healthz, /readyz (the gateway serves them on `port`). */
  opsPort?: number;
  /** Highest resident memory seen (VmHWM, kB), sampled while it ran. */
  peakRssKb: number;
  /** User + system CPU time it had used at the last sample (seconds; sampled with the memory and before a signal). */
  cpuSeconds: number;
  logFile: string;
  /** Where its CPU profile is written when it exits normally (only with a profile directory). */
  cpuProfile?: string;
  exited: Promise<number | null>;
}

export function isRunning(proc: ServiceProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

export class ProcessSupervisor {
  /** Every process started, running or not, in start order. */
  readonly processes: ServiceProcess[] = [];
  private counter = 0;
  private memoryTimer: NodeJS.Timeout | null = null;

  /** cpuProfileDir: run every process with --cpu-prof, its profile written there as <name>-<n>.cpuprofile. */
  constructor(
    readonly logDir: string,
    private readonly options: { cpuProfileDir?: string } = {},
  ) {}

  /** Start `node [nodeArgs] script` with exactly this environment; its stdout and stderr go to <logDir>/<name>-<n>.log. */
  spawn(
    name: ServiceName,
    script: string,
    env: Record<string, string>,
    ports: { port?: number; opsPort?: number } = {},
    nodeArgs: readonly string[] = [],
  ): ServiceProcess {
    mkdirSync(this.logDir, { recursive: true });
    const base = `${name}-${++this.counter}`;
    const logFile = path.join(this.logDir, `${base}.log`);
    const profileDir = this.options.cpuProfileDir;
    const cpuProfile = profileDir ? path.join(profileDir, `${base}.cpuprofile`) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${base}.cpuprofile`] : [];
    const args = [...nodeArgs, ...profiling, script];
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('node', args, { env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc: ServiceProcess = { name, child, logFile, exited, peakRssKb: 0, cpuSeconds: 0, cpuProfile, ...ports };
    this.processes.push(proc);
    return proc;
  }

  running(name: ServiceName): ServiceProcess[] {
    return this.processes.filter((p) => p.name === name && isRunning(p));
  }

  /** Send a signal (default SIGKILL: no cleanup, as a crash or power cut) and wait for the exit. */
  async kill(proc: ServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.sampleMemory();
    proc.child.kill(signal);
    await proc.exited;
  }

  /** SIGTERM every running process (SIGKILL after graceMs) and wait for all of them. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.sampleMemory();
    this.stopSampling();
    await Promise.all(
      this.processes.map(async (p) => {
        if (!isRunning(p)) return;
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
        await p.exited;
        clearTimeout(timer);
      }),
    );
  }

  /** CPU seconds per process (user + system), as last sampled, the busiest first. */
  cpuSeconds(): { name: ServiceName; pid: number; cpuSeconds: number; cpuProfile?: string }[] {
    this.sampleMemory();
    return this.processes
      .filter((p) => p.child.pid !== undefined)
      .map((p) => ({ name: p.name, pid: p.child.pid!, cpuSeconds: p.cpuSeconds, cpuProfile: p.cpuProfile }))
      .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  }

  /** Sample every process's peak memory (and CPU time) every intervalMs until stopAll. */
  startSampling(intervalMs = 500): void {
    if (this.memoryTimer) return;
    this.memoryTimer = setInterval(() => this.sampleMemory(), intervalMs);
    this.memoryTimer.unref();
  }

  stopSampling(): void {
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.memoryTimer = null;
  }

  /** Peak resident memory per service name (the largest of its processes), in MB. */
  peakMemoryMb(): Record<string, number> {
    this.sampleMemory();
    const out: Record<string, number> = {};
    for (const p of this.processes) out[p.name] = Math.max(out[p.name] ?? 0, Math.round(p.peakRssKb / 102.4) / 10);
    return out;
  }

  sampleMemory(): void {
    for (const p of this.processes) {
      if (!isRunning(p) || !p.child.pid) continue;
      const kb = peakRssKb(p.child.pid);
      if (kb !== null) p.peakRssKb = Math.max(p.peakRssKb, kb);
      const cpu = cpuSecondsOf(p.child.pid);
      if (cpu !== null) p.cpuSeconds = Math.max(p.cpuSeconds, cpu);
    }
  }
}

let clockTicks: number | undefined;
/** The kernel's clock ticks per second (USER_HZ, the unit of /proc/<pid>/stat times), 100 if getconf cannot say. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used (Linux /proc/<pid>/stat, utime + stime), null when it is gone or unreadable. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    return cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), ticksPerSecond());
  } catch {
    return null;
  }
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in seconds; the command name (field 2) may hold spaces and parentheses. */
export function cpuSecondsFromStat(stat: string, ticks: number): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticks : null;
}

/** VmHWM of a process (Linux /proc), null when it is gone or unreadable. */
export function peakRssKb(pid: number): number | null {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) : null;
  } catch {
    return null;
  }
}
