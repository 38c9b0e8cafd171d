import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { createTestDatabase, pgAdminUrlFromEnv, type TestDatabase } from '../test/harness/postgres.js';
import { openDatabase } from './client.js';

// Opening a database migrates it. Several processes may open the same empty database at once (the API
// and the orchestrator on a first `docker compose up`): each openDatabase here has its own connection
// pool, so the race on the real server is the same as between processes.
describe('opening a PostgreSQL database', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase(pgAdminUrlFromEnv());
  });
  after(async () => {
    await database.drop();
  });

  it('migrates an empty database once when several open it at the same moment', async () => {
    const opened = await Promise.allSettled(
      Array.from({ length: 4 }, () => openDatabase({ url: database.url, dataDir: '' })),
    );
    for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
    assert.deepEqual(
      opened.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')),
      ['ok', 'ok', 'ok', 'ok'],
    );
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const tables = await sql`select count(*)::int as n from pg_tables where tablename = 'api_tokens'`;
      assert.equal(tables[0]!.n, 1);
      assert.ok(applied[0]!.n >= 1);
    } finally {
      await sql.end();
    }
  });
});

describe('a database that cannot be prepared', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase(pgAdminUrlFromEnv());
    // A table of the same name that the first migration did not make: its CREATE TABLE must fail.
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    await sql`create table api_tokens (id int)`;
    await sql.end();
  });
  after(async () => {
    await database.drop();
  });

  it('says what PostgreSQL said, not only which query failed', async () => {
    await assert.rejects(openDatabase({ url: database.url, dataDir: '' }), (error: Error) => {
      assert.match(error.message, /^cannot prepare the database at postgres:\/\/graphium:\*\*\*@/);
      assert.match(error.message, /relation "api_tokens" already exists \(SQLSTATE 42P07\)/);
      assert.match(error.message, /in query: CREATE TABLE "api_tokens"/);
      return true;
    });
  });
});
