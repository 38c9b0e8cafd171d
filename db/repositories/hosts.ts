import { and, asc, count, eq, notExists } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type HostRow, hosts, placements } from '../schema.js';

export interface NewHost {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/** Undefined when a host with that id already exists. */
export async function insertHost(db: Database, host: NewHost): Promise<HostRow | undefined> {
  const [row] = await db.insert(hosts).values(host).onConflictDoNothing().returning();
  return row;
}

export async function getHost(db: Database, id: string): Promise<HostRow | undefined> {
  const [row] = await db.select().from(hosts).where(eq(hosts.id, id)).limit(1);
  return row;
}

export function listHosts(db: Database): Promise<HostRow[]> {
  return db.select().from(hosts).orderBy(asc(hosts.id));
}

export async function countContainersOnHost(db: Database, hostId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(placements).where(eq(placements.hostId, hostId));
  return row?.n ?? 0;
}

/**
 * Deletes the host only while no container is placed on it, in one statement, so a deploy that
 * places a container at the same moment cannot leave it on a host that no longer exists.
 */
export async function deleteUnusedHost(db: Database, id: string): Promise<'deleted' | 'missing' | 'in_use'> {
  const deleted = await db
    .delete(hosts)
    .where(
      and(
        eq(hosts.id, id),
        notExists(db.select({ one: placements.hostId }).from(placements).where(eq(placements.hostId, id))),
      ),
    )
    .returning({ id: hosts.id });
  if (deleted.length > 0) return 'deleted';
  return (await getHost(db, id)) ? 'in_use' : 'missing';
}
