import type { ReconcileMode } from '../../../contracts/vocabulary.js';
import type { Database } from '../../../db/client.js';
import { lastDeployedVersion } from '../../../db/repositories/deployments.js';
import { findDrift, setReconcileMode } from '../../../db/repositories/drift.js';
import { findLiveStack, getStackVersion } from '../../../db/repositories/stacks.js';
import type { StackRow } from '../../../db/schema.js';
import { operationTypes } from '../../../workflows/operations.js';
import { notFound } from '../../lib/errors.js';
import { isoOrNull } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './drift.routes.js';

/** The mode a reconcile of this stack uses: the API's setting, else the deployed Compose file's, else report. */
async function reconcileSetting(
  db: Database,
  stack: StackRow,
): Promise<{ mode: ReconcileMode; source: 'api' | 'compose' | 'default' }> {
  if (stack.reconcileMode) return { mode: stack.reconcileMode, source: 'api' };
  const placing = operationTypes.filter((type) => type.placesVersion).map((type) => type.name);
  const version = (await lastDeployedVersion(db, stack.id, placing)) ?? stack.currentVersion;
  const fromFile = (await getStackVersion(db, stack.id, version))?.spec.graphium?.reconcile;
  return fromFile ? { mode: fromFile, source: 'compose' } : { mode: 'report', source: 'default' };
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const stack = await findLiveStack(db, id);
  if (!stack) throw notFound(`no stack "${id}"`);
  const drift = await findDrift(db, stack.id);
  const repaired = drift && (drift.repairDeploymentId || drift.repairError);
  return c.json(
    {
      checkedAt: isoOrNull(drift?.checkedAt ?? null),
      items: drift?.items ?? [],
      version: drift?.version ?? null,
      reconcile: await reconcileSetting(db, stack),
      deploymentId: drift?.deploymentId ?? null,
      repair: repaired ? { deploymentId: drift.repairDeploymentId, error: drift.repairError } : null,
    },
    200,
  );
};

export const putSetting: AppRouteHandler<typeof routes.putSetting> = async (c) => {
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const { mode } = c.req.valid('json');
  const stack = await findLiveStack(db, id);
  if (!stack) throw notFound(`no stack "${id}"`);
  c.set('auditTarget', stack.id);
  c.set('auditDetails', { reconcile: mode });
  await setReconcileMode(db, stack.id, mode);
  return c.json(await reconcileSetting(db, { ...stack, reconcileMode: mode }), 200);
};
