import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { findDeployment } from '../../../db/repositories/deployments.js';
import { stacks } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type RequestOptions, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';
import type { StackOperationInput } from '../../../workflows/operation-types.js';

// No orchestrator runs here: the workflows these routes start wait in Temporal (and are terminated
// when the file ends), which is all a route test needs. Stack and host names are unique to this file
// because the Temporal server is shared with other files.

const compose = (constraint = 'node.labels.zone == a') => `
services:
  db:
    image: busybox
  web:
    image: busybox
    depends_on: [db]
    deploy: { replicas: 2, placement: { constraints: ["${constraint}"] } }
`;

const yaml = (body: string): RequestOptions => ({ body, headers: { 'content-type': 'application/yaml' } });
const withKey = (key: string, options: RequestOptions = {}): RequestOptions => ({
  ...options,
  headers: { ...options.headers, 'idempotency-key': key },
});

describe('stack operations API', () => {
  let api: TestApi;

  const createStack = async (name: string, document = compose()) => {
    const response = await api.request('POST', `/stacks?name=${name}`, yaml(document));
    assert.equal(response.status, 201, await response.clone().text());
    return (await json(response)) as { id: string; name: string };
  };
  const deploy = (stack: string, options: RequestOptions = {}) =>
    api.request('POST', `/stacks/${stack}/deploy`, { token: api.tokens.deployer, ...options });
  const terminate = (workflowId: string) =>
    api.temporal.workflow.getHandle(workflowId).terminate('an SRE ended it in the Temporal UI');

  before(async () => {
    api = await createTestApi(await useInfra());
    for (const [id, zone] of [
      ['op-host-a', 'a'],
      ['op-host-b', 'b'],
    ]) {
      const response = await api.request('POST', '/hosts', { json: { id, labels: { zone } } });
      assert.equal(response.status, 201);
    }
  });
  after(() => api?.close());

  it('enforces roles: deployers start operations', async () => {
    const body = { json: {} };
    await assertAccessRule(api, {
      method: 'POST',
      path: '/stacks/op-x/deploy',
      role: 'deployer',
      options: body,
    });
    await assertAccessRule(api, { method: 'POST', path: '/stacks/op-x/stop', role: 'deployer' });
    await assertAccessRule(api, { method: 'POST', path: '/stacks/op-x/start', role: 'deployer' });
    await assertAccessRule(api, { method: 'DELETE', path: '/stacks/op-x', role: 'deployer' });
  });

  it('deploy answers 202 at once and starts the workflow with the placement and options', async () => {
    const stack = await createStack('op-shop');
    const response = await deploy('op-shop', { json: { maxParallelPerHost: 3 } });
    assert.equal(response.status, 202);
    const started = await json(response);
    assert.deepEqual(Object.keys(started).sort(), ['deploymentId', 'runId', 'workflowId']);
    assert.equal(started.workflowId, 'deploy-op-shop-1');
    assert.equal(response.headers.get('idempotent-replayed'), null);

    const row = await findDeployment(api.db, started.deploymentId);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.requestedBy, 'test-deployer');
    assert.equal(row?.runId, started.runId);
    const handle = api.temporal.workflow.getHandle(started.workflowId, started.runId);
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = JSON.parse(new TextDecoder().decode(payload?.data ?? undefined)) as StackOperationInput;
    assert.equal(input.stackId, stack.id);
    assert.deepEqual(input.options, { maxParallelPerHost: 3 });
    assert.deepEqual(
      input.placements.map((c) => `${c.name}@${c.hostId}`),
      ['op-shop_db_1@op-host-a', 'op-shop_web_1@op-host-a', 'op-shop_web_2@op-host-a'],
    );

    const { items } = await json(await api.request('GET', '/audit?limit=1'));
    assert.equal(items[0].action, 'POST /api/v1/stacks/:id/deploy');
    assert.equal(items[0].actor, 'test-deployer');
    assert.equal(items[0].target, stack.id);
    assert.equal(items[0].status, 202);
    assert.equal(items[0].details.operation, 'deploy');
    assert.equal(items[0].details.deploymentId, started.deploymentId);
  });

  it('refuses a second concurrent operation with 409 naming the running one', async () => {
    const running = await findRunning('op-shop');
    for (const [method, path] of [
      ['POST', '/stacks/op-shop/deploy'],
      ['POST', '/stacks/op-shop/stop'],
      ['POST', '/stacks/op-shop/start'],
      ['DELETE', '/stacks/op-shop'],
    ] as const) {
      const response = await api.request(method, path, { token: api.tokens.deployer });
      assert.equal(response.status, 409, `${method} ${path}`);
      const { error } = await json(response);
      assert.equal(error.code, 'conflict');
      assert.match(error.message, /stack op-shop already has an operation in progress/);
      assert.equal(error.details.deploymentId, running.deploymentId);
      assert.equal(error.details.operation, 'deploy');
    }
  });

  it('settles an active deployment whose workflow was terminated, then starts the next one', async () => {
    const running = await findRunning('op-shop');
    await terminate(running.workflowId);
    const response = await api.request('POST', '/stacks/op-shop/stop', { token: api.tokens.deployer });
    assert.equal(response.status, 202, await response.clone().text());
    assert.equal((await json(response)).workflowId, 'stop-op-shop-2');
    const settled = await findDeployment(api.db, running.deploymentId);
    assert.equal(settled?.status, 'failed');
    assert.equal(
      settled?.error,
      'workflow deploy-op-shop-1 was terminated in Temporal: an SRE ended it in the Temporal UI',
    );
    assert.ok(settled?.finishedAt);
    await terminate('stop-op-shop-2');
  });

  it('replays a request that repeats an Idempotency-Key of the same token', async () => {
    await createStack('op-idem');
    const first = await deploy('op-idem', withKey('release-1', { json: { version: 1 } }));
    assert.equal(first.status, 202);
    const started = await json(first);
    const again = await deploy('op-idem', withKey('release-1', { json: { version: 1 } }));
    assert.equal(again.status, 202);
    assert.deepEqual(await json(again), started);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');

    // The key belongs to the token: another token's identical key is a new request (here: a 409).
    const other = await api.request(
      'POST',
      '/stacks/op-idem/deploy',
      withKey('release-1', { token: api.tokens.admin }),
    );
    assert.equal(other.status, 409);

    const reused = await api.request(
      'POST',
      '/stacks/op-idem/stop',
      withKey('release-1', { token: api.tokens.deployer }),
    );
    assert.equal(reused.status, 422);
    assert.match((await json(reused)).error.message, /Idempotency-Key was already used for another request/);

    const tooLong = await deploy('op-idem', withKey('k'.repeat(201)));
    assert.equal(tooLong.status, 400);
    assert.match((await json(tooLong)).error.message, /^invalid request header: idempotency-key/);
  });

  it('replays a retried DELETE even after the stack is gone', async () => {
    const stack = await createStack('op-gone');
    const first = await api.request(
      'DELETE',
      '/stacks/op-gone',
      withKey('drop-1', { token: api.tokens.deployer }),
    );
    assert.equal(first.status, 202);
    // What the delete workflow does when every host confirms.
    await api.db.update(stacks).set({ deletedAt: new Date() }).where(eq(stacks.id, stack.id));
    for (const ref of ['op-gone', stack.id]) {
      const again = await api.request(
        'DELETE',
        `/stacks/${ref}`,
        withKey('drop-1', { token: api.tokens.deployer }),
      );
      assert.equal(again.status, 202, ref);
      assert.deepEqual(await json(again), await json(first.clone()));
    }
    assert.equal(
      (await api.request('DELETE', '/stacks/op-gone', { token: api.tokens.deployer })).status,
      404,
    );
  });

  it('refuses bad deploy bodies with 400 and accepts an empty one', async () => {
    await createStack('op-body');
    const bad: [unknown, RegExp][] = [
      [{ version: 'x' }, /version/],
      [{ version: 0 }, /version/],
      [{ maxParallelPerHost: 0 }, /maxParallelPerHost/],
      [{ maxParallelPerHost: 65 }, /maxParallelPerHost/],
      [{ replicas: 3 }, /replicas/],
    ];
    for (const [body, message] of bad) {
      const response = await deploy('op-body', { json: body });
      assert.equal(response.status, 400, JSON.stringify(body));
      const { error } = await json(response);
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, message);
    }
    const malformed = await deploy('op-body', {
      body: '{"version": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.status, 400);
    assert.match((await json(malformed)).error.message, /^malformed JSON body/);

    const empty = await deploy('op-body', { body: '', headers: { 'content-type': 'application/json' } });
    assert.equal(empty.status, 202, await empty.clone().text());
  });

  it('answers 404 for an unknown stack or version', async () => {
    await createStack('op-versions');
    const unknown = await deploy('op-nope', { json: {} });
    assert.equal(unknown.status, 404);
    assert.deepEqual((await json(unknown)).error, { code: 'not_found', message: 'no stack "op-nope"' });
    assert.equal(
      (await api.request('POST', '/stacks/op-nope/stop', { token: api.tokens.deployer })).status,
      404,
    );
    assert.equal(
      (await api.request('DELETE', '/stacks/op-nope', { token: api.tokens.deployer })).status,
      404,
    );
    const version = await deploy('op-versions', { json: { version: 7 } });
    assert.equal(version.status, 404);
    assert.match((await json(version)).error.message, /stack op-versions has no version 7/);
  });

  it('answers 422 when no placement is possible, naming the constraint', async () => {
    await createStack('op-typo', compose('node.hostname == op-host-z'));
    const typo = await deploy('op-typo');
    assert.equal(typo.status, 422);
    const typoError = (await json(typo)).error;
    assert.equal(typoError.code, 'unprocessable');
    assert.equal(typoError.details.reason, 'unknown_host');
    assert.match(typoError.message, /no registered host is named "op-host-z"/);

    await createStack('op-nowhere', compose('node.labels.zone == c'));
    const nowhere = await deploy('op-nowhere');
    assert.equal(nowhere.status, 422);
    const nowhereError = (await json(nowhere)).error;
    assert.equal(nowhereError.details.reason, 'unsatisfiable');
    assert.match(nowhereError.message, /no host satisfies \["node.labels.zone == c"\]/);

    const { items } = await json(await api.request('GET', '/deployments?stackId=op-nowhere'));
    assert.deepEqual(items, [], 'a refused operation records no deployment');
  });

  async function findRunning(stack: string) {
    const { items } = await json(await api.request('GET', `/deployments?stackId=${stack}`));
    const active = items.find((d: { status: string }) => d.status === 'pending' || d.status === 'running');
    assert.ok(active, `an active deployment of ${stack}`);
    return { deploymentId: active.id as string, workflowId: active.workflowId as string };
  }
});
