import { and, asc, count, eq, inArray, notExists, sql } from 'drizzle-orm';
import { activeDeploymentStatuses } from '../../contracts/vocabulary.js';
import type { Database } from '../client.js';
import { deployments, type HostRow, hosts, placements } from '../schema.js';

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

/** Pending or running operations whose hosts include this one (awaitable, or a subquery). */
export function activeDeploymentsOnHost(db: Database, hostId: string) {
  return db
    .select()
    .from(deployments)
    .where(
      and(
        inArray(deployments.status, [...activeDeploymentStatuses]),
        sql`${deployments.hostIds} @> ${JSON.stringify([hostId])}::jsonb`,
      ),
    );
}

/**
 * Deletes the host only while nothing uses it: no container placed on it, and no pending or running
 * operation that targets it (such an operation records its containers only as its workflow observes
 * them, so the placements alone would let the host go mid-deploy and leave that operation waiting
 * for an agent that never comes). Check and delete are one statement; operations started afterwards
 * target registered hosts only, so they no longer include this one.
 */
export async function deleteUnusedHost(db: Database, id: string): Promise<'deleted' | 'missing' | 'in_use'> {
  const deleted = await db
    .delete(hosts)
    .where(
      and(
        eq(hosts.id, id),
        notExists(db.select({ one: placements.hostId }).from(placements).where(eq(placements.hostId, id))),
        notExists(activeDeploymentsOnHost(db, id)),
      ),
    )
    .returning({ id: hosts.id });
  if (deleted.length > 0) return 'deleted';
  return (await getHost(db, id)) ? 'in_use' : 'missing';
}
