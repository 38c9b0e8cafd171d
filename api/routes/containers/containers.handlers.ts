import { listPlacements } from '../../../db/repositories/placements.js';
import { findLiveStack } from '../../../db/repositories/stacks.js';
import { notFound } from '../../lib/errors.js';
import { iso } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './containers.routes.js';

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { stackId, hostId } = c.req.valid('query');
  const { db } = c.var.deps;
  let stack: { id: string } | undefined;
  if (stackId !== undefined) {
    stack = await findLiveStack(db, stackId);
    if (!stack) throw notFound(`no stack "${stackId}"`);
  }
  const rows = await listPlacements(db, { stackId: stack?.id, hostId });
  return c.json(
    {
      items: rows.map((row) => ({
        stackId: row.stackId,
        stack: row.stackName,
        hostId: row.hostId,
        name: row.name,
        service: row.service,
        replica: row.replica,
        containerId: row.containerId,
        image: row.image,
        state: row.state,
        deploymentId: row.deploymentId,
        observedAt: iso(row.updatedAt),
      })),
    },
    200,
  );
};
