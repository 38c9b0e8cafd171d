import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_STACK } from '../../contracts/vocabulary.js';
import { findDeployment } from '../../db/repositories/deployments.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { endStateProblems } from '../harness/end-state.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { putStack, startStackOperation } from '../harness/stack-ops.js';

// 50 stacks deployed at once over three hosts: 150 containers, 50 workflows and their children in
// flight together. Every one succeeds, and every stack's end state is right; then all 50 are
// deleted at once and nothing of them is left.

const COUNT = 50;
const names = Array.from({ length: COUNT }, (_, i) => `many${String(i + 1).padStart(2, '0')}`);
// No network: 150 bridges in the machine's namespace would test the test machine, not Graphium.
const stackYaml = (i: number) => `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    network_mode: none
    environment: { N: "${i}" }
    deploy: { replicas: 3 }
`;

describe('50 stacks deployed at once', () => {
  // A busy agent queues work for a while; the bound says how long a host may stay silent, not busy.
  const env = useFaultEnvironment({
    name: 'many',
    hosts: [{ zone: 'a' }, { zone: 'b' }, { zone: 'c' }],
    pickupTimeout: '5m',
  });

  const finished = async (deploymentIds: string[]) =>
    Promise.all(
      deploymentIds.map(async (id) => {
        for (;;) {
          const row = await findDeployment(env.ctx.db, id);
          if (row && !['pending', 'running'].includes(row.status)) return row;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }),
    );

  it('all succeed, each in step with the daemons; deleted at once, nothing is left', async () => {
    for (const [i, name] of names.entries()) await putStack(env.ctx.db, name, stackYaml(i));
    const started = Date.now();
    const deploys = await Promise.all(
      names.map((name) => startStackOperation(env.ctx, name, 'deploy', { options: { settleMs: 300 } })),
    );
    const results = await finished(deploys.map((d) => d.id));
    console.log(`50 stacks, 150 containers deployed in ${Math.round((Date.now() - started) / 1000)} s`);
    assert.deepEqual(
      results
        .filter((row) => row.status !== 'succeeded')
        .map((row) => `${row.workflowId}: ${row.status} ${row.error}`),
      [],
    );
    const problems = (await Promise.all(names.map((name) => endStateProblems(env.target(), name)))).flat();
    assert.deepEqual(problems, []);

    const deletes = await Promise.all(names.map((name) => startStackOperation(env.ctx, name, 'delete')));
    const deleted = await finished(deletes.map((d) => d.id));
    assert.deepEqual(
      deleted
        .filter((row) => row.status !== 'succeeded')
        .map((row) => `${row.workflowId}: ${row.status} ${row.error}`),
      [],
    );
    for (const hostId of env.hostIds) {
      const left = await new DaemonProbe(env.daemonOf(hostId).socketPath).containers();
      assert.deepEqual(
        left.filter((c) => names.includes(c.labels[LABEL_STACK] ?? '')).map((c) => c.name),
        [],
      );
    }
    const afterDelete = (await Promise.all(names.map((name) => endStateProblems(env.target(), name)))).flat();
    assert.deepEqual(afterDelete, []);
  });
});
