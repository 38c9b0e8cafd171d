import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { redactUrl } from '../lib/redact-url.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { describeDatabaseError } from './errors.js';
import * as schema from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  /** `postgres` for a server, `pglite` for the embedded database. */
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens the database and applies pending migrations. With a URL it is PostgreSQL through
 * postgres.js; without one, embedded PGlite under `dataDir` (one process at a time, guarded by a lock).
 */
export async function openDatabase(options: { url?: string; dataDir: string }): Promise<DatabaseHandle> {
  if (options.url) {
    const sql = postgres(options.url, { max: 10, onnotice: () => {} });
    const db = drizzlePostgres(sql, { schema });
    try {
      await migrateLocked(sql, db);
    } catch (error) {
      await sql.end();
      throw new Error(
        `cannot prepare the database at ${redactUrl(options.url)}: ${describeDatabaseError(error)}`,
      );
    }
    return { db: db as unknown as Database, kind: 'postgres', close: () => sql.end() };
  }
  const dir = join(options.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true });
  const release = acquireDataDirLock(dir);
  const client = new PGlite(dir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    close: async () => {
      await client.close();
      release();
    },
  };
}

/** Any fixed 64-bit key, the same in every Graphium process: it names "Graphium migrates this database". */
const MIGRATION_LOCK_KEY = 0x67726170_6869756dn; // "graphium"

/**
 * Applies pending migrations under a PostgreSQL advisory lock. The API and the orchestrator both
 * migrate at start; started together on an empty database (a first `docker compose up`), the second
 * waits here for the first instead of racing it to CREATE TABLE, then finds nothing left to do. The
 * lock is held on one reserved connection, since an advisory lock belongs to the session that took it.
 */
async function migrateLocked(sql: postgres.Sql, db: ReturnType<typeof drizzlePostgres>): Promise<void> {
  const session = await sql.reserve();
  try {
    await session`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    try {
      await migratePostgres(db, { migrationsFolder });
    } finally {
      await session`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    }
  } finally {
    session.release();
  }
}

/** Opens a throwaway in-memory PGlite: the embedded engine, without a data directory. */
export async function openMemoryDatabase(): Promise<DatabaseHandle> {
  const client = new PGlite();
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return { db: db as unknown as Database, kind: 'pglite', close: () => client.close() };
}
