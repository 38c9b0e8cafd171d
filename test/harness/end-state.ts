import assert from 'node:assert/strict';
import { type Client, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';
import { asc, eq } from 'drizzle-orm';
import { isActive, reconcileDeployment } from '../../api/services/deployment-state.js';
import {
  LABEL_DEPLOYMENT,
  LABEL_HOST,
  LABEL_REPLICA,
  LABEL_SERVICE,
  LABEL_STACK,
} from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { findStackAnyState } from '../../db/repositories/stacks.js';
import { type DeploymentRow, deployments, placements } from '../../db/schema.js';
import { findOperationType } from '../../workflows/operations.js';
import type { OperationProgress } from '../../workflows/progress-types.js';
import { type DaemonContainer, DaemonProbe } from './daemon.js';

// The one check every fault test ends with: what the database says equals what the daemons hold, and
// every deployment's status tells the truth. Written against behaviour only (labels, names, the
// records the API serves), so any correct implementation passes it.

export interface EndStateTarget {
  db: Database;
  temporal: Client;
  /** Every host the stack could be on, with its daemon's socket. */
  hosts: { hostId: string; socketPath: string }[];
}

interface Found extends DaemonContainer {
  hostId: string;
}

/** Every way the stack's end state is wrong; empty when it is right. */
export async function endStateProblems(target: EndStateTarget, stackName: string): Promise<string[]> {
  const problems: string[] = [];
  const stack = await findStackAnyState(target.db, stackName);
  if (!stack) return [`no stack ${stackName} in the database`];
  const rows = await target.db
    .select()
    .from(deployments)
    .where(eq(deployments.stackId, stack.id))
    .orderBy(asc(deployments.sequence));

  // Each record as the API would serve it (a closed workflow's row settled first), and true to its workflow.
  const settled: DeploymentRow[] = [];
  for (const row of rows) {
    const current = await reconcileDeployment({ db: target.db, temporal: target.temporal }, row);
    settled.push(current);
    if (isActive(current.status)) {
      problems.push(`${current.workflowId} is still ${current.status}`);
      continue;
    }
    const truth = await workflowOutcome(target.temporal, current);
    if (!statusMatches(current, truth)) {
      problems.push(
        `${current.workflowId} says ${current.status} (${current.error ?? 'no error'}) but its workflow ${truth}`,
      );
    }
  }

  const found: Found[] = [];
  for (const { hostId, socketPath } of target.hosts) {
    for (const c of await new DaemonProbe(socketPath).containers({ [LABEL_STACK]: stackName })) {
      found.push({ ...c, hostId });
    }
  }
  const byId = new Map(settled.map((row) => [row.id, row]));
  const seen = new Map<string, Found>();
  for (const c of found) {
    const where = `${c.name} on ${c.hostId}`;
    if (c.name.includes('.retired-')) problems.push(`retired leftover ${where} (${c.state})`);
    if (c.labels[LABEL_HOST] !== c.hostId)
      problems.push(`${where} is labelled for host ${c.labels[LABEL_HOST]}`);
    const creator = byId.get(c.labels[LABEL_DEPLOYMENT] ?? '');
    if (!creator) problems.push(`${where} was created by unknown deployment ${c.labels[LABEL_DEPLOYMENT]}`);
    else if (creator.status !== 'succeeded') {
      problems.push(`${where} (${c.state}) belongs to ${creator.workflowId}, which ${creator.status}`);
    }
    const replica = `${c.labels[LABEL_SERVICE]}#${c.labels[LABEL_REPLICA]}`;
    const twin = seen.get(replica);
    if (twin && !c.name.includes('.retired-')) {
      problems.push(`replica ${replica} runs twice: ${twin.name} on ${twin.hostId} and ${where}`);
    }
    if (!c.name.includes('.retired-')) seen.set(replica, c);
  }

  // The placements the database keeps are exactly the containers the daemons hold.
  const recorded = await target.db.select().from(placements).where(eq(placements.stackId, stack.id));
  const key = (hostId: string, name: string, id: string) => `${hostId}/${name}/${id.slice(0, 12)}`;
  const inDb = new Set(recorded.map((p) => key(p.hostId, p.name, p.containerId)));
  const onHosts = new Set(found.map((c) => key(c.hostId, c.name, c.id)));
  for (const k of onHosts)
    if (!inDb.has(k)) problems.push(`orphan: ${k} is on its daemon, not in the database`);
  for (const k of inDb)
    if (!onHosts.has(k)) problems.push(`ghost: ${k} is in the database, not on its daemon`);
  for (const p of recorded) {
    const c = found.find((f) => f.hostId === p.hostId && f.name === p.name);
    if (c && c.state !== p.state)
      problems.push(`${p.name} on ${p.hostId} is ${c.state}, the database says ${p.state}`);
  }

  // What runs is what the last successful deploy placed, and it runs (unless a later stop says not).
  const placing = settled.filter((row) => findOperationType(row.operation)?.placesVersion);
  const deployed = placing.filter((row) => row.status === 'succeeded').at(-1);
  const lastRunState = settled.filter(
    (row) => ['stop', 'start'].includes(row.operation) || placing.includes(row),
  );
  const stopped = lastRunState.filter((row) => row.status === 'succeeded').at(-1)?.operation === 'stop';
  const expected = stack.deletedAt ? [] : (deployed?.containers ?? []);
  const want = new Set(expected.map((c) => `${c.hostId}/${c.name}`));
  const have = new Set(found.map((c) => `${c.hostId}/${c.name}`));
  for (const w of want) if (!have.has(w)) problems.push(`missing: ${w} of ${deployed?.workflowId}`);
  for (const h of have)
    if (!want.has(h)) problems.push(`unexpected: ${h} is no part of the deployed version`);
  if (!stopped) {
    for (const c of expected) {
      const on = found.find((f) => f.hostId === c.hostId && f.name === c.name);
      const done =
        c.status === 'completed' ? /^exited|^running/.test(on?.state ?? '') : on?.state === 'running';
      if (on && !done) problems.push(`${c.name} on ${c.hostId} is ${on.state}, not running`);
    }
  }
  return problems;
}

/** Asserts the end state, naming every problem at once. */
export async function assertEndState(target: EndStateTarget, stackName: string): Promise<void> {
  assert.deepEqual(await endStateProblems(target, stackName), [], `end state of stack ${stackName}`);
}

/** How a deployment's workflow says it ended, in the row's own words (`succeeded`, `terminated`…). */
async function workflowOutcome(temporal: Client, row: DeploymentRow): Promise<string> {
  const handle = temporal.workflow.getHandle(row.workflowId, row.runId ?? undefined, { followRuns: false });
  try {
    const result = (await handle.result()) as OperationProgress;
    return result.status;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'does-not-exist';
    const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
    if (cause instanceof TerminatedFailure) return 'terminated';
    if (cause instanceof CancelledFailure) return 'cancelled';
    if (cause instanceof ApplicationFailure) {
      return (cause.details?.[0] as OperationProgress | undefined)?.status ?? `failed: ${cause.message}`;
    }
    return `ended: ${(error as Error).message}`;
  }
}

function statusMatches(row: DeploymentRow, truth: string): boolean {
  // A reconcile finished the saga of a deploy whose rollback had not (terminated, a host away).
  const finishedByReconcile =
    row.status === 'rolled_back' && /leftovers were rolled back by/.test(row.error ?? '');
  if (truth === 'terminated') {
    return (row.status === 'failed' && /terminated in Temporal/.test(row.error ?? '')) || finishedByReconcile;
  }
  if (truth === 'failed' && finishedByReconcile) return true;
  return row.status === truth;
}
