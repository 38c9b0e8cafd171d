import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { redactUrl } from '../../lib/redact-url.js';

/** The server tests create their throwaway databases on; `.ci/run` creates this role. */
export const DEFAULT_PG_ADMIN_URL = 'postgres://graphium:graphium@127.0.0.1:5432/postgres';

/** Where tests find PostgreSQL; `.ci/run` sets GRAPHIUM_TEST_PG_URL. */
export function pgAdminUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.GRAPHIUM_TEST_PG_URL ?? DEFAULT_PG_ADMIN_URL;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the real PostgreSQL server, dropped again by `drop()`. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `graphium_t_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `PostgreSQL is not usable at ${redactUrl(adminUrl)} (${(error as Error).message}); ` +
        'start it (see .ci/run) or set GRAPHIUM_TEST_PG_URL',
    );
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      try {
        // FORCE may not end an autovacuum worker: it runs as no role, so a non-superuser gets
        // 42501 while one is busy in the database. The worker finishes in moments; try again.
        for (let attempt = 1; ; attempt++) {
          try {
            await admin.unsafe(`drop database if exists ${name} with (force)`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '42501' || attempt === 10) throw error;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      } finally {
        await admin.end();
      }
    },
  };
}
