import type { LocalSystem, ServiceName, ServiceProcess } from '../lib/system';
import type { PrivateBroker } from '../lib/private-broker';
import type { ChaosEvent, ChaosSummary } from './report';

export type ChaosMode = 'none' | 'workers' | 'inventory' | 'broker';

/**
 * Kills during the sale. workers: SIGKILL a random cart or checkout manager
 * every interval (one with work in flight when any has) and start a new one; inventory: the same to the inventory
 * manager (restarted on the same address); broker: stop the private RabbitMQ
 * node and start it again. Before each kill it reads the victim's in-flight
 * gauge, so the report can say whether the kill hit work in flight.
 */
export class Chaos {
  private readonly events: ChaosEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private startedAt = 0;
  private stopped = false;

  constructor(
    private readonly mode: ChaosMode,
    private readonly system: LocalSystem,
    private readonly options: { intervalMs: number; broker?: PrivateBroker; inventoryPort?: number; log: (line: string) => void },
  ) {}

  start(): void {
    if (this.mode === 'none' || this.timer) return;
    this.startedAt = Date.now();
    // The broker restarts once, early in the sale; processes die every interval.
    const interval = this.options.intervalMs;
    const strike = () => {
      if (this.stopped || this.running) return;
      this.running = this.strike()
        .catch((err: unknown) => this.options.log(`chaos: ${(err as Error).message}`))
        .finally(() => (this.running = null));
    };
    if (this.mode === 'broker') {
      // Restart once, at the first moment (after 1 s) the workers hold work in
      // flight, so the restart interrupts real work; give up waiting at 15 s.
      const watch = async () => {
        if (this.stopped || this.running) return;
        const elapsed = Date.now() - this.startedAt;
        if (elapsed >= 1_000 && ((await this.workersInFlight()) > 0 || elapsed > 15_000)) strike();
        else this.timer = setTimeout(() => void watch(), 100);
      };
      this.timer = setTimeout(() => void watch(), 100);
    } else {
      this.timer = setInterval(strike, interval);
      setTimeout(strike, Math.min(interval, 1_000)).unref();
    }
  }

  async stop(): Promise<ChaosSummary | undefined> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
      clearTimeout(this.timer);
    }
    await this.running;
    if (this.mode === 'none') return undefined;
    const kills = this.events.length;
    const withWork = this.events.filter((e) => e.inFlight > 0).length;
    return {
      mode: this.mode,
      kills,
      killsWithWorkInFlight: withWork,
      events: this.events,
      note:
        kills === 0
          ? 'no kill happened during the sale: this run proves nothing about crashes'
          : withWork === 0
            ? 'no kill hit a process with work in flight: this run proves nothing about crashes'
            : undefined,
    };
  }

  private async workersInFlight(): Promise<number> {
    const counts = await Promise.all(
      [...this.system.running('cart-manager'), ...this.system.running('checkout-manager')].map((p) => this.system.inFlight(p)),
    );
    return counts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  }

  private async strike(): Promise<void> {
    const t = Date.now() - this.startedAt;
    if (this.mode === 'broker') {
      const broker = this.options.broker!;
      const inFlight = await this.workersInFlight();
      this.events.push({ tMs: t, target: `rabbitmq ${broker.node}`, pid: 0, inFlight });
      this.options.log(`chaos: restarting RabbitMQ ${broker.node} (${inFlight} messages in flight in the workers)`);
      await broker.restart(1_000);
      this.options.log('chaos: RabbitMQ is back');
      return;
    }
    const names: ServiceName[] = this.mode === 'inventory' ? ['inventory-manager'] : ['cart-manager', 'checkout-manager'];
    const candidates: ServiceProcess[] = names.flatMap((n) => this.system.running(n));
    if (candidates.length === 0) return;
    // A random process among those holding work right now (any, when none does): with batching a
    // process is busy in short bursts, and a kill of an idle one proves nothing about crashes.
    const loads = await Promise.all(candidates.map(async (p) => ({ p, inFlight: (await this.system.inFlight(p)) ?? 0 })));
    const busy = loads.filter((l) => l.inFlight > 0);
    const pool = busy.length > 0 ? busy : loads;
    const { p: victim, inFlight } = pool[Math.floor(Math.random() * pool.length)]!;
    const pid = victim.child.pid ?? 0;
    await this.system.kill(victim, 'SIGKILL');
    this.events.push({ tMs: t, target: victim.name, pid, inFlight });
    this.options.log(`chaos: SIGKILL ${victim.name} pid ${pid} (${inFlight} in flight), starting a new one`);
    const extra: Record<string, string> = victim.name === 'inventory-manager' && this.options.inventoryPort ? { GRPC_PORT: String(this.options.inventoryPort) } : {};
    // A restart may race the old port's release: retry a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.system.startService(victim.name, extra);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }
}
