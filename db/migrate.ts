/**
 * Applies db/migrations/*.sql with postgrator (plain SQL files, a version table,
 * checksums of applied files). Re-running is a no-op. Creates the database
 * first if it does not exist. Usage: node dist/db/migrate.js  (DB_* from env)
 *
 * A named lock (GET_LOCK) serialises concurrent runs, e.g. several containers
 * starting at once, since MySQL DDL is not transactional.
 */
import path from 'node:path';
import mysql from 'mysql2/promise';
import { z } from 'zod';
import { dbEnv, loadConfig } from '../common/src/config';
import type { DbConfig } from '../common/src/db';
import { exitOnConfigError } from '../common/src/lifecycle';
import { REPO_ROOT } from '../common/src/paths';

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'db', 'migrations');

export async function createDatabase(config: DbConfig): Promise<void> {
  const conn = await mysql.createConnection({ host: config.DB_HOST, port: config.DB_PORT, user: config.DB_USER, password: config.DB_PASSWORD });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${config.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin`);
  } finally {
    await conn.end();
  }
}

export async function migrate(config: DbConfig): Promise<string[]> {
  await createDatabase(config);
  const conn = await mysql.createConnection({
    host: config.DB_HOST,
    port: config.DB_PORT,
    user: config.DB_USER,
    password: config.DB_PASSWORD,
    database: config.DB_NAME,
    multipleStatements: true,
  });
  try {
    await conn.query("SELECT GET_LOCK(CONCAT('migrate:', DATABASE()), 120)");
    // postgrator is an ES module; this file compiles to CommonJS.
    const { default: Postgrator } = await import('postgrator');
    const postgrator = new Postgrator({
      migrationPattern: path.join(MIGRATIONS_DIR, '*.sql'),
      driver: 'mysql',
      database: config.DB_NAME,
      schemaTable: 'schema_migrations',
      execQuery: async (query: string) => {
        const [rows] = await conn.query(query);
        return { rows: Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [] };
      },
    });
    const applied = await postgrator.migrate();
    return applied.map((m) => `${m.version} ${m.name}`);
  } finally {
    await conn.query("SELECT RELEASE_LOCK(CONCAT('migrate:', DATABASE()))").catch(() => undefined);
    await conn.end();
  }
}

if (require.main === module) {
  const config = exitOnConfigError(() => loadConfig(z.object(dbEnv)));
  migrate(config)
    .then((applied) => {
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : `database ${config.DB_NAME} is up to date\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`migration failed: ${(err as Error).message}\n`);
      process.exit(1);
    });
}
