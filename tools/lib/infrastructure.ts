/**
 * Where the tools and the tests find this machine's MariaDB and RabbitMQ: the
 * DB_* and AMQP_URL environment variables, with the services' own defaults
 * (common/src/config.ts), so a default is written in one place only.
 */
import { z } from 'zod';
import { amqpEnv, dbEnv, loadConfig } from '../../common/src/config';
import type { DbConfig } from '../../common/src/db';

/** The RabbitMQ every service uses when AMQP_URL is not set. */
export const DEFAULT_AMQP_URL: string = amqpEnv.AMQP_URL.parse(undefined);

/** AMQP_URL, else the services' default. */
export function amqpUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return loadConfig(z.object({ AMQP_URL: amqpEnv.AMQP_URL }), env).AMQP_URL;
}

/** The default URL with another port: a private node on this machine, same credentials. */
export function amqpUrlOnPort(port: number, base = DEFAULT_AMQP_URL): string {
  const url = new URL(base);
  url.port = String(port);
  return url.toString();
}

export type DbServer = Omit<DbConfig, 'DB_NAME'>;

/** DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, else the services' defaults. */
export function dbServerFromEnv(env: NodeJS.ProcessEnv = process.env): DbServer {
  const { DB_HOST, DB_PORT, DB_USER, DB_PASSWORD } = loadConfig(z.object(dbEnv), env);
  return { DB_HOST, DB_PORT, DB_USER, DB_PASSWORD };
}

/** A database config as the environment of a service process (strings). */
export function dbEnvOf(config: DbConfig): Record<string, string> {
  return { DB_HOST: config.DB_HOST, DB_PORT: String(config.DB_PORT), DB_USER: config.DB_USER, DB_PASSWORD: config.DB_PASSWORD, DB_NAME: config.DB_NAME };
}
