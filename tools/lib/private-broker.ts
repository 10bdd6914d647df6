/**
 * A private RabbitMQ node for chaos runs: its own node name, AMQP port and
 * data directory, so restarting it mid-sale never touches the shared broker.
 * Uses the machine's rabbitmq-server; the node runs as the rabbitmq user when
 * started by root, so its directory is handed to that user.
 */
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { amqpUrlOnPort } from './infrastructure';
import { portOpen } from './ports';

const run = promisify(execFile);

export interface PrivateBrokerOptions {
  /** AMQP port, below 32768 (the ephemeral range). */
  port: number;
  name?: string;
}

export class PrivateBroker {
  readonly node: string;
  readonly dir: string;
  readonly port: number;

  constructor(options: PrivateBrokerOptions) {
    this.port = options.port;
    const name = options.name ?? `flashsale-chaos-${options.port}`;
    this.node = `${name}@localhost`;
    this.dir = path.join(os.tmpdir(), name);
  }

  /** The default AMQP URL (credentials and host) on this node's port. */
  get url(): string {
    return amqpUrlOnPort(this.port);
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.port + 20_000),
      RABBITMQ_MNESIA_BASE: path.join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(this.dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(this.dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: path.join(this.dir, 'pid'),
      RABBITMQ_CONFIG_FILE: path.join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_FEATURE_FLAGS_FILE: path.join(this.dir, 'feature_flags'),
    };
  }

  /** Create a fresh node directory (no plugins: nothing else to bind) and start it. */
  async create(): Promise<void> {
    if (await portOpen(this.port)) throw new Error(`port ${this.port} is already taken; pick another --broker-port`);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(path.join(this.dir, 'mnesia'), { recursive: true });
    mkdirSync(path.join(this.dir, 'log'), { recursive: true });
    writeFileSync(path.join(this.dir, 'enabled_plugins'), '[].\n');
    writeFileSync(path.join(this.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${this.port}\nloopback_users = none\n`);
    if (process.getuid?.() === 0) {
      const ids = await rabbitmqUser();
      if (ids) for (const p of ['', 'mnesia', 'log', 'enabled_plugins', 'rabbitmq.conf']) chownSync(path.join(this.dir, p), ids.uid, ids.gid);
    }
    await this.start();
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn('rabbitmq-server', ['-detached'], { env: this.env(), stdio: 'ignore', cwd: this.dir });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => resolve());
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await portOpen(this.port))) {
      if (Date.now() > deadline) throw new Error(`private RabbitMQ ${this.node} did not open port ${this.port}; see ${this.dir}/log`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    await run('rabbitmqctl', ['-n', this.node, 'stop'], { env: this.env() }).catch(() => undefined);
    const deadline = Date.now() + 30_000;
    while ((await portOpen(this.port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }

  /** The chaos: stop the node (every connection drops), then start it again. */
  async restart(downMs = 1_000): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}

async function rabbitmqUser(): Promise<{ uid: number; gid: number } | null> {
  try {
    const { stdout } = await run('id', ['-u', 'rabbitmq']);
    const { stdout: g } = await run('id', ['-g', 'rabbitmq']);
    return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
  } catch {
    return null;
  }
}
