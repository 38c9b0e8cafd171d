import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { deployments } from '../../../db/schema.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';
import { collectSse } from '../../../test/harness/sse.js';
import { withoutContainerOutput } from './container-output.js';

// Viewers get the reason a container failed, never what it printed (logs are where applications print
// the values they were given). Deployers and admins get the errors whole.

describe('container output in errors', () => {
  it('keeps the reason and drops the output', () => {
    const cases: [string, string][] = [
      [
        'container shop_web_1 on host vm1 exited with code 1; last output: DB_PASSWORD=hunter2\nbye',
        'container shop_web_1 on host vm1 exited with code 1',
      ],
      [
        'container shop_web_1 on host vm1 healthcheck failed: curl: token=hunter2 refused',
        'container shop_web_1 on host vm1 healthcheck failed',
      ],
      [
        'container shop_web_1 on host vm1 exited with code 3; last output: a; b: c; rollback incomplete: vm2: host vm2 is offline',
        'container shop_web_1 on host vm1 exited with code 3; rollback incomplete: vm2: host vm2 is offline',
      ],
      [
        'host vm2 is offline: no agent picked up the task within 60s',
        'host vm2 is offline: no agent picked up the task within 60s',
      ],
      [
        // Output that imitates a workflow's appended part can only hide more, never show output.
        'container a_b_1 on host vm1 exited with code 1; last output: x; rollback incomplete: hunter2; rollback incomplete: vm1: gone',
        'container a_b_1 on host vm1 exited with code 1; rollback incomplete: vm1: gone',
      ],
    ];
    for (const [error, shown] of cases) assert.equal(withoutContainerOutput(error), shown);
  });
});

describe('deployment errors shown to each role', () => {
  let api: TestApi;
  const secret = 'hunter2';
  const failure = `container out-shop_web_1 on host out-host exited with code 1; last output: DB_PASSWORD=${secret}`;
  const deploymentError = `${failure}; rollback incomplete: out-host: host out-host is offline`;
  const healthFailure = `container out-shop_web_2 on host out-host healthcheck failed: token=${secret}`;
  let deploymentId = '';

  before(async () => {
    api = await createTestApi(await useInfra());
    await api.request('POST', '/hosts', { json: { id: 'out-host' } });
    const created = await api.request('POST', '/stacks?name=out-shop', {
      body: 'services:\n  web:\n    image: busybox\n    deploy: { replicas: 2 }\n',
      headers: { 'content-type': 'application/yaml' },
    });
    assert.equal(created.status, 201);
    const started = await api.request('POST', '/stacks/out-shop/deploy', { token: api.tokens.deployer });
    assert.equal(started.status, 202, await started.clone().text());
    const { deploymentId: id, workflowId } = await json(started);
    deploymentId = id;
    // No orchestrator runs here: end the workflow and write the record a failed deploy leaves.
    await api.temporal.workflow.getHandle(workflowId).terminate('test');
    const row = { service: 'web', hostId: 'out-host', containerId: null, attempts: 1 };
    await api.db
      .update(deployments)
      .set({
        status: 'failed',
        error: deploymentError,
        finishedAt: new Date(),
        containers: [
          { ...row, replica: 1, name: 'out-shop_web_1', status: 'failed', error: failure },
          { ...row, replica: 2, name: 'out-shop_web_2', status: 'failed', error: healthFailure },
        ],
      })
      .where(eq(deployments.id, deploymentId));
  });
  after(() => api?.close());

  const shownToViewer = (deployment: { error: string; containers: { error: string }[] }) => {
    assert.equal(
      deployment.error,
      'container out-shop_web_1 on host out-host exited with code 1; rollback incomplete: out-host: host out-host is offline',
    );
    assert.deepEqual(
      deployment.containers.map((container) => container.error),
      [
        'container out-shop_web_1 on host out-host exited with code 1',
        'container out-shop_web_2 on host out-host healthcheck failed',
      ],
    );
  };

  it('answers a viewer without the output: GET /deployments/:id, GET /deployments and the event stream', async () => {
    const token = api.tokens.viewer;
    const one = await api.request('GET', `/deployments/${deploymentId}`, { token });
    assert.equal(one.status, 200);
    const oneText = await one.text();
    assert.ok(!oneText.includes(secret), oneText);
    shownToViewer(JSON.parse(oneText));

    const list = await api.request('GET', '/deployments?stackId=out-shop', { token });
    const listText = await list.text();
    assert.ok(!listText.includes(secret), listText);
    shownToViewer(JSON.parse(listText).items[0]);

    const stream = await api.request('GET', `/deployments/${deploymentId}/events`, { token });
    assert.equal(stream.status, 200);
    const events = await collectSse(stream.body!);
    assert.deepEqual(
      events.map((event) => event.event),
      ['progress', 'end'],
    );
    for (const event of events) {
      assert.ok(!event.data.includes(secret), event.data);
      shownToViewer(JSON.parse(event.data));
    }
  });

  it('answers deployers and admins with the errors whole', async () => {
    for (const token of [api.tokens.deployer, api.tokens.admin]) {
      const one = await json(await api.request('GET', `/deployments/${deploymentId}`, { token }));
      assert.equal(one.error, deploymentError);
      assert.deepEqual(
        one.containers.map((container: { error: string }) => container.error),
        [failure, healthFailure],
      );
      const stream = await api.request('GET', `/deployments/${deploymentId}/events`, { token });
      const [progress] = await collectSse(stream.body!);
      assert.equal(JSON.parse(progress!.data).error, deploymentError);
    }
  });
});
