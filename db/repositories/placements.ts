import { and, asc, eq, getTableColumns, inArray, isNull } from 'drizzle-orm';
import { isRetiredName } from '../../activities/docker/retired-names.js';
import type { ObservedContainer } from '../../activities/docker/types.js';
import type { PlacedContainer } from '../../stack/types.js';
import type { Database } from '../client.js';
import { type PlacementRow, placements, stacks } from '../schema.js';

/** What one host's agent reported of a stack (listed by label on its daemon). */
export interface ObservedHost {
  hostId: string;
  containers: ObservedContainer[];
}

/**
 * Replaces what the database believes runs on each observed host with what Docker reported
 * there. Hosts that could not be observed keep their rows: unknown is not the same as empty.
 */
export async function replacePlacements(
  db: Database,
  stackId: string,
  observed: ObservedHost[],
): Promise<void> {
  if (observed.length === 0) return;
  await db.transaction(async (tx) => {
    await tx.delete(placements).where(
      and(
        eq(placements.stackId, stackId),
        inArray(
          placements.hostId,
          observed.map((host) => host.hostId),
        ),
      ),
    );
    const rows = observed.flatMap((host) =>
      host.containers.map((c) => ({
        stackId,
        hostId: host.hostId,
        name: c.name,
        service: c.service,
        replica: c.replica,
        containerId: c.containerId,
        image: c.image,
        state: c.state,
        deploymentId: c.deploymentId || null,
      })),
    );
    if (rows.length > 0) await tx.insert(placements).values(rows);
  });
}

export async function stackPlacements(db: Database, stackId: string): Promise<PlacementRow[]> {
  return db.select().from(placements).where(eq(placements.stackId, stackId));
}

/** The current replicas of a stack, for sticky placement and for stop/start/delete. */
export function asPlacedContainers(rows: PlacementRow[]): PlacedContainer[] {
  return rows
    .filter((row) => !isRetiredName(row.name))
    .map((row) => ({ service: row.service, replica: row.replica, hostId: row.hostId, name: row.name }));
}

/** What runs where now, for people (the dashboard): live stacks only, by host, stack and name. */
export function listPlacements(
  db: Database,
  filter: { stackId?: string | undefined; hostId?: string | undefined },
): Promise<(PlacementRow & { stackName: string })[]> {
  return db
    .select({ ...getTableColumns(placements), stackName: stacks.name })
    .from(placements)
    .innerJoin(stacks, eq(stacks.id, placements.stackId))
    .where(
      and(
        isNull(stacks.deletedAt),
        filter.stackId ? eq(placements.stackId, filter.stackId) : undefined,
        filter.hostId ? eq(placements.hostId, filter.hostId) : undefined,
      ),
    )
    .orderBy(asc(placements.hostId), asc(stacks.name), asc(placements.name));
}
