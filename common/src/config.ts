import { z } from 'zod';

/**
 * Validate a service's environment once, at start. A bad value stops the
 * process with a message naming the variable; the result is frozen and typed.
 * Only config modules call this; nothing else reads process.env.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`)
      .join('\n');
    throw new ConfigError(`invalid configuration:\n${problems}`);
  }
  return Object.freeze(parsed.data) as Readonly<z.infer<S>>;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Identifiers used in database, queue and vhost names: keep them boring. */
export const safeName = (def: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ only, 1 to 64 characters')
    .default(def);

export const queuePrefix = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only, 1 to 64 characters')
  .default('flashsale');

/** Variables every service that talks to MariaDB shares. */
export const dbEnv = {
  DB_HOST: z.string().min(1).default('127.0.0.1'),
  DB_PORT: int(3306, 1, 65535),
  DB_USER: z.string().min(1).default('root'),
  DB_PASSWORD: z.string().default(''),
  DB_NAME: safeName('flashsale'),
};

/** Variables every service that talks to RabbitMQ shares. */
export const amqpEnv = {
  AMQP_URL: z.string().url().default('amqp://guest:guest@127.0.0.1:5672'),
  QUEUE_PREFIX: queuePrefix,
  /** Deliveries of one message before it is dead-lettered; sized so crashes never dead-letter a healthy message. */
  AMQP_DELIVERY_LIMIT: int(20, 1, 1000),
};

export const commonEnv = {
  LOG_LEVEL: logLevel,
  /** GET /metrics, /healthz, /readyz of workers and the inventory manager; 0 picks a free port (logged as `ops listening`). */
  /** 127.0.0.1 outside containers (the image sets 0.0.0.0 for its health checks and Prometheus). */
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  OPS_PORT: int(0, 0, 65535),
  /** Test-only crash points (see crash.ts); empty in production. */
  CRASH_AT: z.string().default(''),
  CRASH_ONCE_FILE: z.string().default(''),
};
