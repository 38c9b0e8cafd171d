import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { findDeployment } from '../../../db/repositories/deployments.js';
import { deployments, stacks } from '../../../db/schema.js';
import { findTemporalCli, startTemporalDevServer } from '../../../lib/temporal-dev-server.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type RequestOptions, type TestApi } from '../../../test/harness/api-app.js';
import { testPayloadCodec } from '../../../test/harness/graphium.js';
import { useInfra } from '../../../test/harness/infra.js';
import { freePort } from '../../../test/harness/ports.js';
import type { StackOperationInput } from '../../../workflows/operation-types.js';
import { temporalDeadlines } from '../../lib/temporal-calls.js';

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
  const started = async (response: Response) => {
    assert.equal(response.status, 202, await response.clone().text());
    return (await json(response)) as { deploymentId: string; workflowId: string; runId: string };
  };
  const workflowInput = async (workflowId: string, runId: string) => {
    const history = await api.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    // Sealed by the API's codec: opened with the tests' keys, as the orchestrator would.
    const [opened] = await testPayloadCodec().decode(payload ? [payload] : []);
    return JSON.parse(new TextDecoder().decode(opened?.data ?? undefined)) as StackOperationInput;
  };
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
    const input = await workflowInput(started.workflowId, started.runId);
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
    await createStack('op-busy');
    const running = await started(await deploy('op-busy', { json: {} }));
    for (const [method, path] of [
      ['POST', '/stacks/op-busy/deploy'],
      ['POST', '/stacks/op-busy/stop'],
      ['POST', '/stacks/op-busy/start'],
      ['DELETE', '/stacks/op-busy'],
    ] as const) {
      const response = await api.request(method, path, { token: api.tokens.deployer });
      assert.equal(response.status, 409, `${method} ${path}`);
      const { error } = await json(response);
      assert.equal(error.code, 'conflict');
      assert.match(error.message, /stack op-busy already has an operation in progress/);
      assert.equal(error.details.deploymentId, running.deploymentId);
      assert.equal(error.details.operation, 'deploy');
    }
  });

  it('settles an active deployment whose workflow was terminated, then starts the next one', async () => {
    await createStack('op-ended');
    const running = await started(await deploy('op-ended', { json: {} }));
    await terminate(running.workflowId);
    const response = await api.request('POST', '/stacks/op-ended/stop', { token: api.tokens.deployer });
    assert.equal(response.status, 202, await response.clone().text());
    assert.equal((await json(response)).workflowId, 'stop-op-ended-2');
    const settled = await findDeployment(api.db, running.deploymentId);
    assert.equal(settled?.status, 'failed');
    assert.equal(
      settled?.error,
      'workflow deploy-op-ended-1 was terminated in Temporal: an SRE ended it in the Temporal UI',
    );
    assert.ok(settled?.finishedAt);
    await terminate('stop-op-ended-2');
  });

  it('abandons the row and frees its key when Temporal refuses the start', async () => {
    await createStack('op-taken');
    // Another database sharing this Temporal already used the workflow id: a definite refusal.
    const squatter = await api.temporal.workflow.start('stopStackWorkflow', {
      taskQueue: 'op-test-no-worker',
      workflowId: 'stop-op-taken-1',
      args: [],
    });
    try {
      const refused = await api.request(
        'POST',
        '/stacks/op-taken/stop',
        withKey('stop-1', { token: api.tokens.deployer }),
      );
      assert.equal(refused.status, 409);
      assert.match((await json(refused)).error.message, /^could not start workflow stop-op-taken-1: /);
      const [row] = await api.db
        .select()
        .from(deployments)
        .where(eq(deployments.workflowId, 'stop-op-taken-1'));
      assert.equal(row?.status, 'failed');
      assert.equal(row?.idempotencyKey, null, 'the key is free again');

      const retried = await api.request(
        'POST',
        '/stacks/op-taken/stop',
        withKey('stop-1', { token: api.tokens.deployer }),
      );
      assert.equal(retried.status, 202, await retried.clone().text());
      assert.equal(retried.headers.get('idempotent-replayed'), null);
      assert.equal((await json(retried)).workflowId, 'stop-op-taken-2');
      await terminate('stop-op-taken-2');
    } finally {
      await squatter.terminate('test done');
    }
  });

  it('never targets a removed host, and DELETE /hosts refuses while an operation targets it', async () => {
    const host = await api.request('POST', '/hosts', { json: { id: 'op-host-gone', labels: { zone: 'x' } } });
    assert.equal(host.status, 201);
    const pinned = (host: string) =>
      `services:\n  web:\n    image: busybox\n    deploy: { placement: { constraints: ["node.hostname == ${host}"] } }\n`;
    await createStack('op-moved', pinned('op-host-gone'));
    const first = await started(await deploy('op-moved', { json: {} }));
    assert.deepEqual((await findDeployment(api.db, first.deploymentId))?.hostIds, ['op-host-gone']);

    const refused = await api.request('DELETE', '/hosts/op-host-gone');
    assert.equal(refused.status, 409, 'no container is placed there yet, but the deploy targets it');
    const { error } = await json(refused);
    assert.match(error.message, /host "op-host-gone" is a target of operation deploy-op-moved-1/);
    assert.equal(error.details.deploymentId, first.deploymentId);

    await terminate(first.workflowId);
    // The row still says pending; the host delete itself asks Temporal, settles it and goes ahead.
    assert.equal((await findDeployment(api.db, first.deploymentId))?.status, 'pending');
    assert.equal((await api.request('DELETE', '/hosts/op-host-gone')).status, 204);
    assert.equal((await findDeployment(api.db, first.deploymentId))?.status, 'failed');

    const moved = await api.request('PUT', '/stacks/op-moved', yaml(pinned('op-host-b')));
    assert.equal(moved.status, 200);
    const second = await started(await deploy('op-moved', { json: {} }));
    const row = await findDeployment(api.db, second.deploymentId);
    assert.deepEqual(
      row?.hostIds,
      ['op-host-b'],
      'the earlier host is gone from the registry, so not visited',
    );
    const input = await workflowInput(second.workflowId, second.runId);
    assert.deepEqual(input.hostIds, ['op-host-b']);
    await terminate(second.workflowId);
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

    // The same key with another body is another request, not a replay of the first.
    const otherBody = await deploy('op-idem', withKey('release-1', { json: { version: 2 } }));
    assert.equal(otherBody.status, 422);
    const { error } = await json(otherBody);
    assert.equal(error.code, 'unprocessable');
    assert.match(error.message, /Idempotency-Key was already used for another request/);
    assert.equal(error.details.deploymentId, started.deploymentId);
    assert.equal(otherBody.headers.get('idempotent-replayed'), null);

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
  it('lists every operation type with its role, options as JSON Schema, and actions', async () => {
    const response = await api.request('GET', '/operation-types', { token: api.tokens.viewer });
    assert.equal(response.status, 200);
    const { items } = await json(response);
    const byName = new Map(items.map((t: { name: string }) => [t.name, t]));
    for (const name of ['deploy', 'stop', 'start', 'delete']) assert.ok(byName.has(name), name);
    const deployType = byName.get('deploy') as {
      role: string;
      placesVersion: boolean;
      options: { type: string; properties: Record<string, { maximum?: number }> };
      actions: { name: string; role: string }[];
    };
    assert.equal(deployType.role, 'deployer');
    assert.equal(deployType.placesVersion, true);
    assert.equal(deployType.options.type, 'object');
    assert.equal(deployType.options.properties.maxParallelPerHost?.maximum, 64);
    // A rolling update with failure_action: pause awaits one of these.
    assert.deepEqual(
      deployType.actions.map((a) => [a.name, a.role]),
      [
        ['resume', 'deployer'],
        ['abort', 'deployer'],
      ],
    );
  });

  it('starts any type through POST /stacks/:id/operations/:type, checking its options', async () => {
    await createStack('op-generic');
    const run = (type: string, body: unknown, token = api.tokens.deployer) =>
      api.request('POST', `/stacks/op-generic/operations/${type}`, { token, json: body });
    const bad = await run('deploy', { options: { maxParallelPerHost: 0, surprise: true } });
    assert.equal(bad.status, 422, 'well-formed for the route, not for the type');
    const { error } = await json(bad);
    assert.equal(error.code, 'unprocessable');
    assert.deepEqual(error.details.issues.map((i: { path: string }) => i.path).sort(), [
      'options',
      'options.maxParallelPerHost',
    ]);
    assert.equal((await run('teleport', {})).status, 404);
    assert.equal((await run('deploy', {}, api.tokens.viewer)).status, 403);
    const versioned = await run('stop', { version: 1 });
    assert.equal(versioned.status, 422, 'stop acts on the version last deployed');

    const { workflowId, runId } = await started(
      await run('deploy', { version: 1, options: { maxParallelPerHost: 3 } }),
    );
    assert.match(workflowId, /^deploy-op-generic-\d+$/);
    const input = await workflowInput(workflowId, runId);
    assert.deepEqual(input.options, { maxParallelPerHost: 3 });
    await terminate(workflowId);
  });

  it('refuses an action a type does not have (404) and one a finished deployment cannot take (409)', async () => {
    await createStack('op-action');
    const { deploymentId, workflowId } = await started(await deploy('op-action'));
    const unknown = await api.request('POST', `/deployments/${deploymentId}/actions/promote`, {
      token: api.tokens.deployer,
    });
    assert.equal(unknown.status, 404);
    assert.match((await json(unknown)).error.message, /a deploy deployment has no action "promote"/);
    await terminate(workflowId);
  });
});

// A real fault, not a mock: the API's Temporal client was connected to a server that has since stopped.
describe('stack operations while Temporal is unreachable', () => {
  let api: TestApi;
  let workDir: string;
  const savedDeadlines = { ...temporalDeadlines };

  before(async () => {
    const infra = await useInfra();
    workDir = mkdtempSync(join(tmpdir(), 'graphium-op-unreachable-'));
    const executable = findTemporalCli(process.env);
    assert.ok(executable, 'a Temporal CLI, as the shared test server uses');
    const server = await startTemporalDevServer({
      port: await freePort(),
      logFile: join(workDir, 'temporal.log'),
      executable,
    });
    try {
      api = await createTestApi({ ...infra, temporalAddress: server.address });
      const host = await api.request('POST', '/hosts', { json: { id: 'op-dark-host' } });
      assert.equal(host.status, 201);
      const stack = await api.request(
        'POST',
        '/stacks?name=op-dark',
        yaml(compose('node.hostname == op-dark-host')),
      );
      assert.equal(stack.status, 201);
    } finally {
      await server.stop();
    }
    Object.assign(temporalDeadlines, { callMs: 500, startMs: 1_000 });
  });
  after(async () => {
    Object.assign(temporalDeadlines, savedDeadlines);
    // Not api.close(): terminating the started workflows would wait on the stopped server.
    await api?.temporal.connection.close();
    await api?.database.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('answers 503 for host status and placement, recording nothing', async () => {
    const hosts = await api.request('GET', '/hosts', { token: api.tokens.viewer });
    assert.equal(hosts.status, 503);
    const hostsError = (await json(hosts)).error;
    assert.equal(hostsError.code, 'unavailable');
    assert.match(
      hostsError.message,
      /^Temporal is unavailable: cannot read the agent status of host op-dark-host/,
    );

    const deploy = await api.request('POST', '/stacks/op-dark/deploy', {
      token: api.tokens.deployer,
      json: {},
    });
    assert.equal(deploy.status, 503);
    assert.equal((await json(deploy)).error.code, 'unavailable');
    assert.deepEqual(await api.db.select().from(deployments), [], 'no deployment was recorded');
  });

  it('keeps a start Temporal did not answer pending, and answers 503 naming the deployment', async () => {
    const response = await api.request(
      'POST',
      '/stacks/op-dark/stop',
      withKey('dark-1', { token: api.tokens.deployer }),
    );
    assert.equal(response.status, 503);
    const { error } = await json(response);
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /cannot confirm the start of workflow stop-op-dark-1/);
    const row = await findDeployment(api.db, error.details.deploymentId);
    // The start may have reached Temporal: abandoning the row could let a second operation run beside it.
    assert.equal(row?.status, 'pending');
    assert.equal(row?.workflowId, 'stop-op-dark-1');
    assert.equal(row?.runId, null);

    const retried = await api.request(
      'POST',
      '/stacks/op-dark/stop',
      withKey('dark-1', { token: api.tokens.deployer }),
    );
    assert.equal(retried.status, 202, 'the same key names the same, still undecided, deployment');
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await json(retried), {
      deploymentId: row?.id,
      workflowId: 'stop-op-dark-1',
      runId: null,
    });
    const other = await api.request('POST', '/stacks/op-dark/start', { token: api.tokens.deployer });
    assert.equal(other.status, 409, 'one operation at a time, even an undecided one');
  });
});
