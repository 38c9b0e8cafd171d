import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { driftKey, stackKey } from '../../contracts/search-attributes.js';
import { findDeployment } from '../../db/repositories/deployments.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { fetchHistories, replayHistories, saveHistories } from '../harness/histories.js';
import { waitFor } from '../harness/ports.js';
import { REPO_ROOT } from '../harness/processes.js';
import { operationWorkflowIds, putStack, runOperation, waitUntilIdle } from '../harness/stack-ops.js';

// Drift, end to end: the reconcile schedule (a private Temporal server, so it never reaches another
// file's stacks) finds a container someone recreated by hand with another environment, the API, the
// CLI and the search attribute say so, and once the stack opts into repair it is put back.

const STACK = 'drifty';
const INTERVAL_S = 10;
const yaml = `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { GREETING: hello }
    deploy: { replicas: 2 }
`;

interface Drift {
  checkedAt: string | null;
  items: { hostId: string; container: string; kind: string; detail?: string }[];
  reconcile: { mode: string; source: string };
  repair: { deploymentId: string | null; error: string | null } | null;
}

describe('drift detection and repair', () => {
  const env = useFaultEnvironment({
    name: 'drift',
    hosts: [{ zone: 'a' }, { zone: 'b' }],
    reconcileInterval: `${INTERVAL_S}s`,
    api: true,
  });
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${env.api!.baseUrl}/api/v1${path}`, {
      headers: { authorization: `Bearer ${env.api!.token}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as T;
  };
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, [`${REPO_ROOT}/cli/bin.js`, ...args], {
      env: { PATH: process.env.PATH, GRAPHIUM_API_URL: env.api!.baseUrl, GRAPHIUM_TOKEN: env.api!.token },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  };
  const envOf = async (name: string) =>
    (await new DaemonProbe(env.daemonOf('vm1').socketPath).inspect(name)).Config.Env;

  it('reports a container changed by hand within one interval, everywhere drift is shown', async () => {
    await putStack(env.ctx.db, STACK, yaml);
    const deployed = await runOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    assert.equal(deployed.deployment.status, 'succeeded', deployed.deployment.error ?? '');
    const target = deployed.deployment.containers.find((c) => c.hostId === 'vm1')!.name;

    // By hand, as an operator would: the same name and labels (so it still looks like Graphium's,
    // config-hash label included), another environment.
    const docker = (...args: string[]) =>
      execFileSync('docker', ['-H', env.daemonOf('vm1').dockerHost, ...args], { encoding: 'utf8' }).trim();
    await waitUntilIdle(env.ctx.db, STACK);
    const labels = JSON.parse(docker('inspect', '--format', '{{json .Config.Labels}}', target)) as Record<
      string,
      string
    >;
    docker('rm', '-f', target);
    docker(
      'run',
      '-d',
      '--name',
      target,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      '-e',
      'GREETING=changed-by-hand',
      TEST_IMAGE,
      'sleep',
      '3600',
    );
    const changedAt = Date.now();

    const drift = await waitFor(
      'the next reconcile to report the change',
      async () => {
        const current = await api<Drift>(`/stacks/${STACK}/drift`);
        if (!current.checkedAt || Date.parse(current.checkedAt) < changedAt) return undefined;
        return current;
      },
      { timeoutMs: (INTERVAL_S + 60) * 1000, intervalMs: 500 },
    );
    const reportedAfter = Date.parse(drift.checkedAt!) - changedAt;
    console.log(`drift reported ${reportedAfter} ms after the change (interval ${INTERVAL_S} s)`);
    // The first check after the change found it; it ran within one interval (plus its own run time).
    assert.deepEqual(drift.items, [
      { hostId: 'vm1', container: target, kind: 'changed', detail: 'environment differs: GREETING' },
    ]);
    assert.ok(reportedAfter <= (INTERVAL_S + 20) * 1000, `reported after ${reportedAfter} ms`);
    assert.deepEqual(drift.reconcile, { mode: 'report', source: 'default' });
    assert.equal(drift.repair, null);
    assert.deepEqual(await envOf(target), ['GREETING=changed-by-hand'], 'report mode changes nothing');

    const shown = cli('drift', STACK);
    assert.match(shown, new RegExp(`vm1\\s+${target}\\s+changed\\s+environment differs: GREETING`));

    const found = [];
    for await (const workflow of env.temporal.workflow.list({
      query: `${driftKey.name} = 'changed' AND ${stackKey.name} = '${STACK}'`,
    })) {
      found.push(workflow.workflowId);
    }
    assert.ok(
      found.some((id) => id.startsWith(`reconcile-${STACK}-`)),
      `search attribute: ${found}`,
    );
  });

  it('repairs it once the stack opts in: a normal deploy of the deployed version', async () => {
    const target = `${STACK}_app_1`;
    assert.match(cli('drift', STACK, '--mode', 'repair'), /reconcile: repair \(api\)/);
    const repaired = await waitFor(
      'a reconcile to start a repair',
      async () => {
        const current = await api<Drift>(`/stacks/${STACK}/drift`);
        return current.repair?.deploymentId ? current : undefined;
      },
      { timeoutMs: (INTERVAL_S + 60) * 1000, intervalMs: 500 },
    );
    const repair = await waitFor(
      'the repair deploy to end',
      async () => {
        const row = await findDeployment(env.ctx.db, repaired.repair!.deploymentId!);
        return row && !['pending', 'running'].includes(row.status) ? row : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    assert.equal(repair.status, 'succeeded', repair.error ?? '');
    assert.equal(repair.operation, 'deploy');
    assert.equal(repair.requestedBy, 'reconcile');
    assert.deepEqual(await envOf(target), ['GREETING=hello']);

    const clean = await waitFor(
      'a reconcile after the repair to find no drift',
      async () => {
        const current = await api<Drift>(`/stacks/${STACK}/drift`);
        return current.checkedAt && Date.parse(current.checkedAt) > repair.finishedAt!.getTime()
          ? current
          : undefined;
      },
      { timeoutMs: (INTERVAL_S + 60) * 1000, intervalMs: 500 },
    );
    assert.deepEqual(clean.items, []);
    await waitUntilIdle(env.ctx.db, STACK);
    await env.assertEndState(STACK);
  });

  it('every workflow run here replays deterministically from its recorded history', async () => {
    const scheduled: string[] = [];
    for await (const workflow of env.temporal.workflow.list({
      query: `WorkflowType = 'reconcileStacksWorkflow'`,
    })) {
      if (workflow.status.name !== 'RUNNING') scheduled.push(workflow.workflowId);
    }
    assert.ok(scheduled.length > 0, 'the schedule ran');
    const ids = [...(await operationWorkflowIds(env.ctx.db)), ...scheduled.slice(0, 2)];
    const histories = await fetchHistories(env.temporal, ids);
    assert.deepEqual(await replayHistories(env.infra.workflowBundle, histories), []);
    saveHistories('drift', histories);
  });
});
