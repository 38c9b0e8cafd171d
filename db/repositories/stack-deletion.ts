import { eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { placements, stackDrift, stacks } from '../schema.js';

/** The stack is gone from every host: keep its history, free its name, forget its placements. */
export async function markStackDeleted(db: Database, stackId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(placements).where(eq(placements.stackId, stackId));
    await tx.delete(stackDrift).where(eq(stackDrift.stackId, stackId));
    await tx
      .update(stacks)
      .set({ deletedAt: sql`coalesce(${stacks.deletedAt}, now())` })
      .where(eq(stacks.id, stackId));
  });
}
