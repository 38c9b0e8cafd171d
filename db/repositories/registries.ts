import { asc, eq } from 'drizzle-orm';
import type { Keyring } from '../../lib/encryption.js';
import type { RegistryCredential } from '../../stack/image-ref.js';
import type { Database } from '../client.js';
import { type RegistryRow, registries } from '../schema.js';

// Registry credentials by host. Passwords are sealed with the keyring, bound to their host, and
// opened only when an operation hands them to the agents that pull.

const sealContext = (host: string) => `registry:${host}`;

/** Stores or replaces the credentials of a host; `created` says which. */
export async function putRegistry(
  db: Database,
  keyring: Keyring,
  input: RegistryCredential & { createdBy: string },
): Promise<{ row: RegistryRow; created: boolean }> {
  const password = keyring.seal(Buffer.from(input.password), sealContext(input.host));
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(registries)
      .where(eq(registries.host, input.host))
      .for('update');
    if (existing) {
      const [row] = await tx
        .update(registries)
        .set({ username: input.username, password, updatedAt: new Date() })
        .where(eq(registries.host, input.host))
        .returning();
      return { row: row!, created: false };
    }
    const [row] = await tx
      .insert(registries)
      .values({ host: input.host, username: input.username, password, createdBy: input.createdBy })
      .returning();
    return { row: row!, created: true };
  });
}

export function listRegistries(db: Database): Promise<RegistryRow[]> {
  return db.select().from(registries).orderBy(asc(registries.host));
}

export async function deleteRegistry(db: Database, host: string): Promise<boolean> {
  const rows = await db.delete(registries).where(eq(registries.host, host)).returning();
  return rows.length > 0;
}

/** The credentials of the given hosts (or of every host) that have any, passwords opened. */
export async function registryCredentials(
  db: Database,
  keyring: Keyring,
  hosts: readonly string[] | 'all',
): Promise<RegistryCredential[]> {
  if (hosts.length === 0) return [];
  const rows = await listRegistries(db);
  return rows
    .filter((row) => hosts === 'all' || hosts.includes(row.host))
    .map((row) => ({
      host: row.host,
      username: row.username,
      password: keyring.open(row.password, sealContext(row.host)).toString(),
    }));
}
