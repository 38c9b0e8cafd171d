import { after, before, describe } from 'node:test';
import { type Database, openDatabase, openMemoryDatabase } from '../../db/client.js';
import { createTestDatabase, pgAdminUrlFromEnv } from './postgres.js';

// The control plane runs on PostgreSQL in production and on embedded PGlite in `npm run dev`; code
// that touches the database is tested on both, with the same suite.

export const databaseKinds = ['postgres', 'pglite'] as const;
export type DatabaseKind = (typeof databaseKinds)[number];

export interface OpenTestDatabase {
  kind: DatabaseKind;
  db: Database;
  /** The PostgreSQL URL, for processes that open the database themselves; undefined for PGlite. */
  url: string | undefined;
  close(): Promise<void>;
}

/** A fresh, migrated database: a throwaway PostgreSQL database, or an in-memory PGlite. */
export async function openTestDatabase(
  kind: DatabaseKind,
  pgAdminUrl = pgAdminUrlFromEnv(),
): Promise<OpenTestDatabase> {
  if (kind === 'pglite') {
    const handle = await openMemoryDatabase();
    return { kind, db: handle.db, url: undefined, close: handle.close };
  }
  const database = await createTestDatabase(pgAdminUrl);
  try {
    const handle = await openDatabase({ url: database.url, dataDir: '' });
    return {
      kind,
      db: handle.db,
      url: database.url,
      close: async () => {
        await handle.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** Declares `suite` once per database kind, each in its own describe block with a fresh database. */
export function forEachDatabase(title: string, suite: (db: () => Database) => void): void {
  for (const kind of databaseKinds) {
    describe(`${title} [${kind}]`, () => {
      let database: OpenTestDatabase | undefined;
      before(async () => {
        database = await openTestDatabase(kind);
      });
      after(async () => {
        await database?.close();
      });
      suite(() => {
        if (!database) throw new Error('the test database is not open yet');
        return database.db;
      });
    });
  }
}
