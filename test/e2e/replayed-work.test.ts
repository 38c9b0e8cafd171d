import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { type ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { UNSIGNED_WORK } from '../../contracts/signed-work.js';
import { LABEL_DEPLOYMENT, ORCHESTRATOR_TASK_QUEUE } from '../../contracts/vocabulary.js';
import { findDeployment } from '../../db/repositories/deployments.js';
import type { DeploymentRow } from '../../db/schema.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { containersOnHosts, putStack, runOperation } from '../harness/stack-ops.js';

// The signature of a workflow input covers its namespace and workflow ID, so whoever reaches Temporal
// can take the sealed input of a finished run from its history and start it again under that ID,
// as any workflow type, without holding a key. Here an attacker does that with the input of a stack's
// first deploy, after a second one: the old version must not come back, the stack must not be removed,
// and the deployment records must not change.

const compose = (version: string) => `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
    environment: { APP_VERSION: "${version}" }
    deploy: { replicas: 2 }
`;

describe('replayed work: a sealed start input re-submitted through Temporal changes nothing', () => {
  const env = useDeployEnvironment([{}, {}], '20s');
  const stack = 'replayed';
  const fast = { options: { settleMs: 300 } };
  let v1: DeploymentRow;
  let v2: DeploymentRow;
  let sealedInput: temporal.api.common.v1.IPayloads;

  /** Each daemon's containers of the stack: name, id, state and the deployment that made it. */
  const onDaemons = async () =>
    Object.entries(await containersOnHosts(env.infra, env.hostIds, stack)).map(([hostId, list]) => [
      hostId,
      list.map((c) => [c.name, c.id, c.state, c.labels[LABEL_DEPLOYMENT]]).sort(),
    ]);
  let expected: Awaited<ReturnType<typeof onDaemons>>;

  const rows = async () => [await findDeployment(env.ctx.db, v1.id), await findDeployment(env.ctx.db, v2.id)];

  /** Starts a workflow with the payloads exactly as given: no codec, nothing signed or sealed anew. */
  async function startRaw(workflowType: string, workflowId: string): Promise<string> {
    const { runId } = await env.ctx.temporal.workflowService.startWorkflowExecution({
      namespace: env.infra.namespace,
      workflowId,
      workflowType: { name: workflowType },
      taskQueue: { name: ORCHESTRATOR_TASK_QUEUE },
      input: sealedInput,
      identity: 'attacker',
      requestId: randomUUID(),
    });
    return runId!;
  }

  /** Replays v1's input and checks that it ended failed and that neither the hosts nor the records changed. */
  async function replay(workflowType: string, workflowId: string): Promise<ApplicationFailure> {
    const runId = await startRaw(workflowType, workflowId);
    const outcome = await env.ctx.temporal.workflow
      .getHandle(workflowId, runId)
      .result()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    // The hosts and the records first: against the old code they show what the replay did.
    assert.deepEqual(await onDaemons(), expected, `${workflowType} ${workflowId}: the hosts changed`);
    assert.deepEqual(await rows(), [v1, v2], `${workflowType} ${workflowId}: the deployment rows changed`);
    assert.ok(outcome instanceof WorkflowFailedError, `${workflowType} ${workflowId} ran: ${outcome}`);
    const cause = outcome.cause as ApplicationFailure;
    assert.equal(cause.nonRetryable, true, cause.message);
    return cause;
  }

  it('deploys v1, then v2, of the stack', async () => {
    await putStack(env.ctx.db, stack, compose('1'));
    const first = await runOperation(env.ctx, stack, 'deploy', fast);
    assert.equal(first.failure, undefined, first.failure?.cause?.message);
    await putStack(env.ctx.db, stack, compose('2'));
    const second = await runOperation(env.ctx, stack, 'deploy', fast);
    assert.equal(second.failure, undefined, second.failure?.cause?.message);
    [v1, v2] = [first.deployment, second.deployment];
    assert.equal(v1.workflowId, `deploy-${stack}-1`);
    assert.deepEqual([v1.status, v2.status], ['succeeded', 'succeeded']);
    expected = await onDaemons();
    const all = expected.flatMap(([, list]) => list as string[][]);
    assert.equal(all.length, 2, JSON.stringify(expected));
    for (const [, , state, deployment] of all) assert.deepEqual([state, deployment], ['running', v2.id]);

    // The attacker's copy of v1's input: sealed and signed, read from the history as it is stored.
    const { history } = await env.ctx.temporal.workflowService.getWorkflowExecutionHistory({
      namespace: env.infra.namespace,
      execution: { workflowId: v1.workflowId },
    });
    sealedInput = history!.events![0]!.workflowExecutionStartedEventAttributes!.input!;
    const metadata = sealedInput.payloads![0]!.metadata!;
    assert.equal(Buffer.from(metadata.encoding!).toString(), 'binary/graphium-sealed');
    assert.ok(metadata['graphium-signature'], 'the input is signed');
  });

  it('the same input under the same workflow ID and type: the claim is taken, no host is touched', async () => {
    const cause = await replay('deployWorkflow', v1.workflowId);
    assert.equal(cause.type, 'OperationNotClaimed', cause.message);
    assert.match(cause.message, new RegExp(`deployment ${v1.id} is not pending`));
    assert.match(env.orchestrator.logs, /operation not claimed/);
  });

  it('the same input as a delete (or a frozen type) under that ID: refused for its binding', async () => {
    for (const type of ['deleteWorkflow', 'deployStackWorkflow', 'deleteStackWorkflow']) {
      const cause = await replay(type, v1.workflowId);
      assert.equal(cause.type, UNSIGNED_WORK, cause.message);
      assert.match(cause.message, new RegExp(`it was signed to start deployWorkflow, not ${type}`));
    }
    assert.match(
      env.orchestrator.logs,
      /workflow start refused: its signed input was not made for this start/,
    );
  });

  it('the same input under another workflow ID: refused for its signature', async () => {
    const cause = await replay('deployWorkflow', `deploy-${stack}-99`);
    assert.equal(cause.type, UNSIGNED_WORK, cause.message);
    assert.match(cause.message, /does not match it/);
  });

  it('v1’s first run reset to just after its claim (Temporal’s Reset): the new run schedules nothing', async () => {
    const execution = { workflowId: v1.workflowId, runId: v1.runId! };
    const { history } = await env.ctx.temporal.workflowService.getWorkflowExecutionHistory({
      namespace: env.infra.namespace,
      execution,
    });
    const events = history!.events!;
    const claim = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'operationStarted',
    );
    assert.ok(claim, 'v1 claimed its deployment');
    const claimed = events.find(
      (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(claim.eventId),
    );
    const resetPoint = events.find(
      (e) => e.workflowTaskCompletedEventAttributes && Number(e.eventId) > Number(claimed!.eventId),
    );
    const { runId } = await env.ctx.temporal.workflowService.resetWorkflowExecution({
      namespace: env.infra.namespace,
      workflowExecution: execution,
      reason: 'an attacker replays v1 past its claim',
      workflowTaskFinishEventId: resetPoint!.eventId,
      requestId: randomUUID(),
    });
    const outcome = await env.ctx.temporal.workflow
      .getHandle(v1.workflowId, runId!)
      .result()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.deepEqual(await onDaemons(), expected, 'the reset run changed the hosts');
    assert.deepEqual(await rows(), [v1, v2], 'the reset run changed the deployment rows');
    assert.ok(outcome instanceof WorkflowFailedError, `the reset run ended: ${outcome}`);
    assert.match(env.orchestrator.logs, /a reset run tried to schedule work/);
  });

  itReplaysEveryWorkflowItRan(env, 'replayed-work');
});
