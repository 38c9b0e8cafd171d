import postgres from 'postgres';

// A lock a test holds on the database from a connection of its own, to hold a workflow at a step
// that writes there (its control activity waits, and is retried, until the lock goes).

export interface HeldLock {
  release(): Promise<void>;
}

/** Runs `statement` (a LOCK or a SELECT … FOR UPDATE) in a transaction kept open until `release`. */
export async function holdLock(databaseUrl: string, statement: string): Promise<HeldLock> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = sql.begin(async (tx) => {
    await tx.unsafe(statement);
    locked();
    await released;
  });
  await Promise.race([holding, transaction]);
  return {
    release: async () => {
      release();
      await transaction.catch(() => {});
      await sql.end();
    },
  };
}
