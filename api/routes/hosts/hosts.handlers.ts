import {
  activeDeploymentsOnHost,
  countContainersOnHost,
  deleteUnusedHost,
  getHost,
  insertHost,
  listHosts,
} from '../../../db/repositories/hosts.js';
import type { HostRow } from '../../../db/schema.js';
import { ApiError, conflict, notFound } from '../../lib/errors.js';
import { iso } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { type DeploymentStateDeps, isActive, reconcileDeployment } from '../../services/deployment-state.js';
import { describeHostAgent, describeHostAgents, type HostAgentStatus } from '../../services/host-agents.js';
import { agentSetup } from './agent-setup.js';
import type * as routes from './hosts.routes.js';

function hostFields(row: HostRow) {
  return {
    id: row.id,
    name: row.name,
    labels: row.labels,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function toHost(row: HostRow, { status, agent, lastSeenAt }: HostAgentStatus) {
  return {
    ...hostFields(row),
    status,
    lastSeenAt: lastSeenAt ? iso(lastSeenAt) : null,
    agent: agent
      ? { identity: agent.identity, lastPollAt: iso(agent.lastPollAt), version: agent.version }
      : null,
  };
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { id, name, labels } = c.req.valid('json');
  const { db, temporalAddress, namespace } = c.var.deps;
  c.set('auditTarget', id);
  const row = await insertHost(db, { id, name: name ?? id, labels: labels ?? {} });
  if (!row) throw conflict(`host "${id}" is already registered`);
  return c.json({ ...hostFields(row), agent: agentSetup(id, temporalAddress, namespace) }, 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { db, temporal, namespace } = c.var.deps;
  const rows = await listHosts(db);
  const statuses = await describeHostAgents(
    temporal,
    namespace,
    rows.map((row) => row.id),
  );
  return c.json({ items: rows.map((row) => toHost(row, statuses.get(row.id)!)) }, 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { id } = c.req.valid('param');
  const { db, temporal, namespace } = c.var.deps;
  const row = await getHost(db, id);
  if (!row) throw notFound(`no host "${id}"`);
  return c.json(toHost(row, await describeHostAgent(temporal, namespace, id)), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { id } = c.req.valid('param');
  const { deps } = c.var;
  let outcome = await deleteUnusedHost(deps.db, id);
  // An operation whose workflow closed without recording its end (terminated in the Temporal UI,
  // never started) still looks active in the database: settle those before refusing.
  if (outcome === 'in_use' && (await settleActiveOperations(deps, id))) {
    outcome = await deleteUnusedHost(deps.db, id);
  }
  if (outcome === 'missing') throw notFound(`no host "${id}"`);
  if (outcome === 'in_use') {
    const containers = await countContainersOnHost(deps.db, id);
    if (containers > 0) {
      throw conflict(`host "${id}" still runs ${containers} container(s); delete or move those stacks first`);
    }
    const [active] = await activeDeploymentsOnHost(deps.db, id);
    throw new ApiError(
      409,
      'conflict',
      `host "${id}" is a target of operation ${active?.workflowId ?? 'in progress'}; retry once it has finished`,
      active ? { deploymentId: active.id, workflowId: active.workflowId } : undefined,
    );
  }
  return c.body(null, 204);
};

/** True when an operation the database held active on this host turned out to have ended. */
async function settleActiveOperations(deps: DeploymentStateDeps, hostId: string): Promise<boolean> {
  const active = await activeDeploymentsOnHost(deps.db, hostId);
  const settled = await Promise.all(active.map((row) => reconcileDeployment(deps, row)));
  return settled.some((row) => !isActive(row.status));
}
