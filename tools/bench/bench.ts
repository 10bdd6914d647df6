/**
 * npm run bench: three flash-sale workloads and the floor, each on a freshly
 * started system, written to BENCHMARKS.md. Numbers, not judgements: nothing
 * here fails on a threshold (only a failed audit fails the run).
 *   1. stock 10, 10,000 buyers, one unit each
 *   2. stock 10,000, 10,000 buyers (every buyer wins: the hot row at full load)
 *   3. 100 products of 100 units, 5,000 buyers with carts of 1 to 5 random products
 * The floor: the same tool, client settings and shape (every buyer's first
 * request at once, then every second one), two GET /healthz per buyer.
 * BENCH_SCALE=0.1 runs everything at a tenth of the size (a quick check).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { dbEnv, loadConfig } from '../../common/src/config';
import type { LoadResult } from '../flash-sale/buyers';
import { defaultOptions, type Options, runSale } from '../flash-sale/cli';
import { ROOT } from '../lib/system';

interface Workload {
  name: string;
  options: Partial<Options>;
}

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (x: number) => Math.max(1, Math.round(x * scale));

const WORKLOADS: Workload[] = [
  { name: `floor: ${n(10_000).toLocaleString('en')} buyers x 2 GET /healthz`, options: { buyers: n(10_000), floor: true } },
  { name: `1. stock 10, ${n(10_000).toLocaleString('en')} buyers, one unit each`, options: { buyers: n(10_000), stock: 10 } },
  { name: `2. stock ${n(10_000).toLocaleString('en')}, ${n(10_000).toLocaleString('en')} buyers (every buyer wins)`, options: { buyers: n(10_000), stock: n(10_000) } },
  {
    name: `3. 100 products x 100 units, ${n(5_000).toLocaleString('en')} buyers, carts of 1-5 products`,
    options: { buyers: n(5_000), products: 100, stock: 100, 'cart-size': '1-5' },
  },
];

interface Row {
  name: string;
  load: LoadResult;
  auditOk: boolean;
  memory: Record<string, number>;
}

function ms(x: number | undefined): string {
  return x === undefined ? '–' : x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1);
}

function endpointCell(load: LoadResult, endpoint: string): string {
  const l = load.latency[endpoint];
  return l && l.count > 0 ? `${ms(l.p50)} / ${ms(l.p99)}` : '–';
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const db = loadConfig(z.object(dbEnv));
  const rows: Row[] = [];
  const started = new Date();
  for (const w of WORKLOADS) {
    process.stderr.write(`\n== ${w.name}\n`);
    const options = defaultOptions({ start: true, workers: 2, 'no-progress': true, 'payment-latency-ms': 0, ...w.options });
    const { input } = await runSale(options, db);
    rows.push({ name: w.name, load: input.load, auditOk: input.audit.ok, memory: (input.meta.peakMemoryMb as Record<string, number>) ?? {} });
    process.stderr.write(`   ${input.load.answered} answered in ${(input.load.wallMs / 1000).toFixed(1)} s, audit ${input.audit.ok ? 'passed' : 'FAILED'}\n`);
  }

  const floor = rows[0]!.load;
  const floorRate = floor.buyersPerSecond;
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(`Written by \`npm run bench\` on ${started.toISOString()}${scale !== 1 ? ` at BENCH_SCALE=${scale}` : ''}. Numbers, not judgements.`, '');
  lines.push('## Machine and versions', '');
  lines.push(`- ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`);
  lines.push(`- node ${process.version}; ${version('mariadb', ['--version'])}; RabbitMQ ${version('rabbitmqctl', ['version'])}`);
  lines.push(`- every workload on a freshly started system: 1 inventory manager, 2 cart managers, 2 checkout managers, 1 gateway, mock payment latency 0, default pools and prefetch; the load tool in its own process on the same 2 cores`);
  lines.push('', '## Command', '', '```bash', `npm run build && ${scale !== 1 ? `BENCH_SCALE=${scale} ` : ''}npm run bench`, '```', '');
  lines.push('## Results', '');
  lines.push('Latency cells are p50 / p99 in milliseconds, client side; "answered/s" is buyers with a final answer per second from the release; the ratio compares with the floor\'s buyers/s.', '');
  lines.push('| workload | buyers | sold | answered/s | × floor | wall (s) | sold out after (s) | POST /addToCart | POST /checkOutCart | GET /orders/:id | buyer release → answer | retries 503 | audit |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    const l = r.load;
    const isFloor = l.mode === 'floor';
    lines.push(
      `| ${r.name} | ${l.buyers.toLocaleString('en')} | ${isFloor ? '–' : l.confirmedOrders.reduce((s, c) => s + c.units, 0).toLocaleString('en')} | ${Math.round(l.buyersPerSecond).toLocaleString('en')} | ${isFloor ? '1' : (l.buyersPerSecond / floorRate).toFixed(3)} | ${(l.wallMs / 1000).toFixed(1)} | ${l.soldOutAtMs === null || isFloor ? '–' : (l.soldOutAtMs / 1000).toFixed(2)} | ${isFloor ? `healthz ${endpointCell(l, 'healthz')}` : endpointCell(l, 'addToCart')} | ${endpointCell(l, 'checkOutCart')} | ${endpointCell(l, 'getOrder')} | ${endpointCell(l, 'buyer')} | ${Object.values(l.retries).reduce((a, b) => a + b, 0).toLocaleString('en')} | ${r.auditOk ? 'passed' : '**FAILED**'} |`,
    );
  }
  lines.push('', '## Peak memory of each service (MB, VmHWM)', '');
  const services = ['api-gateway', 'cart-manager', 'checkout-manager', 'inventory-manager'];
  lines.push(`| workload | ${services.join(' | ')} |`, `| --- | ${services.map(() => '---:').join(' | ')} |`);
  for (const r of rows) lines.push(`| ${r.name} | ${services.map((s) => (r.memory[s] ?? '–').toString()).join(' | ')} |`);
  lines.push('', 'Worker figures are the largest of the instances of that service.', '');
  const out = path.join(ROOT, 'BENCHMARKS.md');
  writeFileSync(out, `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n\nwritten: ${out}\n`);
  if (rows.some((r) => !r.auditOk)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(2);
});
