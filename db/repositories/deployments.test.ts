import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Operation } from '../../contracts/vocabulary.js';
import { forEachDatabase } from '../../test/harness/databases.js';
import type { Database } from '../client.js';
import {
  abandonDeployment,
  claimDeployment,
  findByIdempotencyKey,
  findDeployment,
  finishDeployment,
  insertDeployment,
  type NewDeployment,
  OperationInProgressError,
  setDeploymentRunId,
  settleDeployment,
} from './deployments.js';
import { markStackDeleted } from './stack-deletion.js';
import { createStack } from './stacks.js';

async function newStack(db: Database, name: string) {
  const created = await createStack(db, name, {
    source: 'services:\n  web:\n    image: busybox\n',
    format: 'yaml',
    spec: { services: [], networks: [], volumes: [] },
    createdBy: 'tester',
  });
  assert.ok(created, `stack ${name} created`);
  return created.stack;
}

function pending(
  stack: { id: string; name: string },
  extra: { operation?: Operation; requestedBy?: string; idempotencyKey?: string } = {},
): NewDeployment {
  const operation = extra.operation ?? 'deploy';
  return {
    stackId: stack.id,
    stackName: stack.name,
    operation,
    version: 1,
    hostIds: ['vm1'],
    containers: [],
    requestedBy: extra.requestedBy ?? 'tester',
    idempotencyKey: extra.idempotencyKey,
    workflowId: (sequence) => `${operation}-${stack.name}-${sequence}`,
  };
}

const finish = (db: Database, deploymentId: string, status: 'succeeded' | 'failed' | 'rolled_back') =>
  finishDeployment(db, { deploymentId, status, error: null, progress: 100, containers: [] });

forEachDatabase('deployments repository', (db) => {
  it('a run claims its pending row once; a replayed or second run finds it taken and changes nothing', async () => {
    const stack = await newStack(db(), 'claimed');
    const row = await insertDeployment(db(), pending(stack));
    const claim = (runId: string, workflowId = row.workflowId) =>
      claimDeployment(db(), { deploymentId: row.id, workflowId, runId, hostIds: ['vm1', 'vm2'] });
    assert.deepEqual(await claim('run-a', 'deploy-other-1'), {
      claimed: false,
      reason: `deployment ${row.id} belongs to workflow ${row.workflowId}`,
    });
    assert.deepEqual(await claim('run-a'), { claimed: true });
    assert.deepEqual(await claim('run-a'), { claimed: true }, 'the same run again (an activity retry)');
    const running = await findDeployment(db(), row.id);
    assert.deepEqual(
      [running?.status, running?.runId, running?.hostIds],
      ['running', 'run-a', ['vm1', 'vm2']],
    );
    assert.deepEqual(await claim('run-b'), {
      claimed: false,
      reason: `deployment ${row.id} is not pending (it is running, run run-a)`,
    });
    await finish(db(), row.id, 'succeeded');
    const finished = await findDeployment(db(), row.id);
    assert.deepEqual(await claim('run-c'), {
      claimed: false,
      reason: `deployment ${row.id} is not pending (it is succeeded, run run-a)`,
    });
    assert.deepEqual(await claim('run-a'), {
      claimed: false,
      reason: `deployment ${row.id} is not pending (it is succeeded, run run-a)`,
    });
    assert.deepEqual(await findDeployment(db(), row.id), finished, 'a lost claim writes nothing');
  });

  it('the run the API recorded may claim the pending row; another run may not', async () => {
    const stack = await newStack(db(), 'recorded');
    const row = await insertDeployment(db(), pending(stack));
    await setDeploymentRunId(db(), row.id, 'run-api');
    const claim = (runId: string) =>
      claimDeployment(db(), { deploymentId: row.id, workflowId: row.workflowId, runId, hostIds: ['vm1'] });
    assert.deepEqual(await claim('run-other'), {
      claimed: false,
      reason: `deployment ${row.id} was claimed by run run-api`,
    });
    assert.equal((await findDeployment(db(), row.id))?.status, 'pending');
    assert.deepEqual(await claim('run-api'), { claimed: true });
    await setDeploymentRunId(db(), row.id, 'run-late');
    assert.equal((await findDeployment(db(), row.id))?.runId, 'run-api', 'a claimed row keeps its run');
    const missing = randomUUID();
    assert.deepEqual(await claimDeployment(db(), { deploymentId: missing, runId: 'run-x', hostIds: [] }), {
      claimed: false,
      reason: `deployment ${missing} does not exist`,
    });
  });

  it('numbers operations per stack name, across a deleted and re-created stack of that name', async () => {
    const shop = await newStack(db(), 'shop');
    const first = await insertDeployment(db(), pending(shop));
    assert.deepEqual([first.sequence, first.workflowId, first.status], [1, 'deploy-shop-1', 'pending']);
    await finish(db(), first.id, 'succeeded');
    const second = await insertDeployment(db(), pending(shop, { operation: 'stop' }));
    assert.deepEqual([second.sequence, second.workflowId], [2, 'stop-shop-2']);
    await finish(db(), second.id, 'succeeded');

    // The name is free again once deleted, but its workflow IDs stay taken in Temporal's history.
    await markStackDeleted(db(), shop.id);
    const reborn = await newStack(db(), 'shop');
    assert.notEqual(reborn.id, shop.id);
    const third = await insertDeployment(db(), pending(reborn));
    assert.deepEqual([third.sequence, third.workflowId], [3, 'deploy-shop-3']);

    const other = await newStack(db(), 'other');
    assert.equal((await insertDeployment(db(), pending(other))).sequence, 1, 'another name counts from 1');
  });

  it('refuses a second active operation on a stack, naming the active one, until it finishes', async () => {
    const busy = await newStack(db(), 'busy');
    const running = await insertDeployment(db(), pending(busy));
    await assert.rejects(
      () => insertDeployment(db(), pending(busy, { operation: 'stop' })),
      (error: unknown) => {
        assert.ok(error instanceof OperationInProgressError);
        assert.equal(error.active?.id, running.id);
        return true;
      },
    );
    await finish(db(), running.id, 'failed');
    const next = await insertDeployment(db(), pending(busy, { operation: 'stop' }));
    assert.equal(next.sequence, 2, 'the refused insert used up no number');
  });

  it('settles only an active row; the workflow’s own final record always wins', async () => {
    const race = await newStack(db(), 'race');
    const finished = await insertDeployment(db(), pending(race));
    await finishDeployment(db(), {
      deploymentId: finished.id,
      status: 'succeeded',
      error: null,
      progress: 100,
      containers: [],
    });
    const recorded = await findDeployment(db(), finished.id);
    const late = await settleDeployment(db(), {
      deploymentId: finished.id,
      status: 'failed',
      error: 'workflow was terminated in Temporal',
      progress: 0,
      containers: [],
    });
    assert.equal(late, undefined, 'a finished row is not settled again');
    assert.deepEqual(await findDeployment(db(), finished.id), recorded, 'and stays exactly as recorded');

    const stale = await insertDeployment(db(), pending(race, { operation: 'stop' }));
    const settled = await settleDeployment(db(), {
      deploymentId: stale.id,
      status: 'failed',
      error: 'workflow stop-race-2 does not exist in Temporal',
      progress: 0,
      containers: [],
    });
    assert.equal(settled?.status, 'failed');
    assert.ok(settled?.finishedAt instanceof Date);
    // The workflow's own record, landing after the settle, replaces it (finishedAt stays the first).
    await finish(db(), stale.id, 'rolled_back');
    const final = await findDeployment(db(), stale.id);
    assert.equal(final?.status, 'rolled_back');
    assert.equal(final?.error, null);
    assert.equal(final?.finishedAt?.getTime(), settled?.finishedAt?.getTime());
  });

  it('finds a deployment by the Idempotency-Key of its requester only, until it is abandoned', async () => {
    const keyed = await newStack(db(), 'keyed');
    const row = await insertDeployment(
      db(),
      pending(keyed, { requestedBy: 'ci', idempotencyKey: 'release-1' }),
    );
    assert.equal((await findByIdempotencyKey(db(), 'ci', 'release-1'))?.id, row.id);
    assert.equal(await findByIdempotencyKey(db(), 'someone-else', 'release-1'), undefined);
    assert.equal(await findByIdempotencyKey(db(), 'ci', 'release-2'), undefined);

    // The same requester and key on another stack: the database refuses it (the API replays instead).
    const elsewhere = await newStack(db(), 'elsewhere');
    await assert.rejects(
      () => insertDeployment(db(), pending(elsewhere, { requestedBy: 'ci', idempotencyKey: 'release-1' })),
      OperationInProgressError,
    );

    // A start that never happened frees its key for the retry.
    await abandonDeployment(db(), row.id, 'could not start workflow');
    assert.equal(await findByIdempotencyKey(db(), 'ci', 'release-1'), undefined);
    const abandoned = await findDeployment(db(), row.id);
    assert.equal(abandoned?.status, 'failed');
    assert.equal(abandoned?.error, 'could not start workflow');
    const retried = await insertDeployment(
      db(),
      pending(keyed, { requestedBy: 'ci', idempotencyKey: 'release-1' }),
    );
    assert.equal((await findByIdempotencyKey(db(), 'ci', 'release-1'))?.id, retried.id);
  });
});
