import { asc, eq } from 'drizzle-orm';
import type { Keyring } from '../../lib/encryption.js';
import type { Database } from '../client.js';
import { stackVariables } from '../schema.js';

// Stack variables interpolate a stack's Compose files the way a shell environment would. They often
// hold passwords, so values are sealed, bound to their stack and name.

const sealContext = (stackId: string, name: string) => `variable:${stackId}:${name}`;

/** Replaces every variable of the stack with `variables`, in one transaction. */
export async function replaceStackVariables(
  db: Database,
  keyring: Keyring,
  stackId: string,
  variables: Record<string, string>,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(stackVariables).where(eq(stackVariables.stackId, stackId));
    const rows = Object.entries(variables).map(([name, value]) => ({
      stackId,
      name,
      value: keyring.seal(Buffer.from(value), sealContext(stackId, name)),
    }));
    if (rows.length > 0) await tx.insert(stackVariables).values(rows);
  });
}

/** The stack's variables, opened, by name. */
export async function readStackVariables(
  db: Database,
  keyring: Keyring,
  stackId: string,
): Promise<Record<string, string>> {
  const rows = await db
    .select()
    .from(stackVariables)
    .where(eq(stackVariables.stackId, stackId))
    .orderBy(asc(stackVariables.name));
  return Object.fromEntries(
    rows.map((row) => [row.name, keyring.open(row.value, sealContext(stackId, row.name)).toString()]),
  );
}
