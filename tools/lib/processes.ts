/**
 * Process supervision: spawn a service as a real node process with its output
 * in its own log file (not through this process, which may be busy driving
 * thousands of buyers), kill it, wait for it, and sample its peak memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
  logFile: string;
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

  constructor(readonly logDir: string) {}

  /** Start `node script` with exactly this environment; its stdout and stderr go to <logDir>/<name>-<n>.log. */
  spawn(name: ServiceName, script: string, env: Record<string, string>, ports: { port?: number; opsPort?: number } = {}): ServiceProcess {
    mkdirSync(this.logDir, { recursive: true });
    const logFile = path.join(this.logDir, `${name}-${++this.counter}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('node', [script], { env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc: ServiceProcess = { name, child, logFile, exited, peakRssKb: 0, ...ports };
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

  /** Sample every process's peak memory every intervalMs until stopAll. */
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
    }
  }
}

/** VmHWM of a process (Linux /proc), null when it is gone or unreadable. */
function peakRssKb(pid: number): number | null {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) : null;
  } catch {
    return null;
  }
}
