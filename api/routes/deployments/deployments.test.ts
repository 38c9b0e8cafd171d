import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { findDeployment } from '../../../db/repositories/deployments.js';
import { deployments } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';
import { waitFor } from '../../../test/harness/ports.js';
import { collectSse, readSse } from '../../../test/harness/sse.js';
import { sseTiming } from './deployment-events.js';

// No orchestrator runs here, so started workflows stay pending in Temporal: enough to read, stream,
// cancel and (by terminating them as an SRE would) see the API settle them. Names are unique to this
// file because the Temporal server is shared with other files.

/** Counts, per workflow id, the handles the app's own Temporal client makes: one per describe or query. */
function countHandles(api: TestApi) {
  const polls = new Map<string, number>();
  const workflow = api.temporal.workflow;
  const getHandle = workflow.getHandle.bind(workflow);
  workflow.getHandle = ((...args: Parameters<typeof getHandle>) => {
    polls.set(args[0], (polls.get(args[0]) ?? 0) + 1);
    return getHandle(...args);
  }) as typeof workflow.getHandle;
  return {
    count: (workflowId: string) => polls.get(workflowId) ?? 0,
    restore: () => {
      workflow.getHandle = getHandle;
    },
  };
}

const compose = `
services:
  app:
    image: busybox
    deploy: { replicas: 2 }
`;

const deploymentKeys = [
  'awaiting',
  'containers',
  'createdAt',
  'error',
  'finishedAt',
  'id',
  'operation',
  'phase',
  'progress',
  'requestedBy',
  'runId',
  'stack',
  'stackId',
  'startedAt',
  'status',
  'version',
  'workflowId',
];

describe('deployments API', () => {
  let api: TestApi;
  const unknownId = '00000000-0000-4000-8000-000000000000';

  const createStack = async (name: string) => {
    const response = await api.request('POST', `/stacks?name=${name}`, {
      body: compose,
      headers: { 'content-type': 'application/yaml' },
    });
    assert.equal(response.status, 201);
    return (await json(response)) as { id: string };
  };
  const start = async (path: string, method = 'POST') => {
    const response = await api.request(method, path, { token: api.tokens.deployer });
    assert.equal(response.status, 202, await response.clone().text());
    return (await json(response)) as { deploymentId: string; workflowId: string; runId: string };
  };
  const terminate = (workflowId: string) =>
    api.temporal.workflow.getHandle(workflowId).terminate('ended by hand');
  const get = async (id: string) =>
    json(await api.request('GET', `/deployments/${id}`, { token: api.tokens.viewer }));

  before(async () => {
    api = await createTestApi(await useInfra());
    await api.request('POST', '/hosts', { json: { id: 'dep-host-a' } });
    await api.request('POST', '/hosts', { json: { id: 'dep-host-b' } });
  });
  after(() => api?.close());

  it('enforces roles: viewers read, deployers cancel', async () => {
    await assertAccessRule(api, { method: 'GET', path: '/deployments', role: 'viewer' });
    await assertAccessRule(api, { method: 'GET', path: `/deployments/${unknownId}`, role: 'viewer' });
    await assertAccessRule(api, { method: 'GET', path: `/deployments/${unknownId}/events`, role: 'viewer' });
    await assertAccessRule(api, {
      method: 'POST',
      path: `/deployments/${unknownId}/cancel`,
      role: 'deployer',
    });
  });

  it('shows one deployment in the documented shape', async () => {
    const stack = await createStack('dep-shape');
    const started = await start('/stacks/dep-shape/deploy');
    const deployment = await get(started.deploymentId);
    assert.deepEqual(Object.keys(deployment).sort(), deploymentKeys);
    assert.equal(deployment.id, started.deploymentId);
    assert.equal(deployment.stackId, stack.id);
    assert.equal(deployment.stack, 'dep-shape');
    assert.equal(deployment.operation, 'deploy');
    assert.equal(deployment.version, 1);
    assert.equal(deployment.status, 'pending');
    assert.equal(deployment.progress, 0);
    assert.equal(deployment.error, null);
    assert.equal(deployment.requestedBy, 'test-deployer');
    assert.equal(deployment.workflowId, started.workflowId);
    assert.equal(deployment.runId, started.runId);
    assert.equal(deployment.startedAt, null);
    assert.equal(deployment.finishedAt, null);
    assert.equal(deployment.phase, 'waiting for the orchestrator');
    assert.equal(deployment.awaiting, null);
    assert.deepEqual(deployment.containers, [
      {
        service: 'app',
        replica: 1,
        hostId: 'dep-host-a',
        name: 'dep-shape_app_1',
        containerId: null,
        status: 'pending',
        attempts: 0,
        error: null,
      },
      {
        service: 'app',
        replica: 2,
        hostId: 'dep-host-b',
        name: 'dep-shape_app_2',
        containerId: null,
        status: 'pending',
        attempts: 0,
        error: null,
      },
    ]);
    await terminate(started.workflowId);
  });

  it('documents the routes and the event stream in /openapi.json', async () => {
    const document = await json(await api.request('GET', '/openapi.json', { token: null }));
    for (const [path, method] of [
      ['/api/v1/stacks/{id}/deploy', 'post'],
      ['/api/v1/stacks/{id}/stop', 'post'],
      ['/api/v1/stacks/{id}/start', 'post'],
      ['/api/v1/stacks/{id}', 'delete'],
      ['/api/v1/deployments', 'get'],
      ['/api/v1/deployments/{id}', 'get'],
      ['/api/v1/deployments/{id}/events', 'get'],
      ['/api/v1/deployments/{id}/cancel', 'post'],
    ] as const) {
      assert.ok(document.paths[path]?.[method], `${method} ${path}`);
    }
    const stream = document.paths['/api/v1/deployments/{id}/events'].get.responses['200'];
    assert.ok(stream.content['text/event-stream']);
    assert.match(stream.description, /`progress`.*`end`/s);
    assert.deepEqual(Object.keys(document.components.schemas.Deployment.properties).sort(), deploymentKeys);
  });

  it('answers 404 for an unknown deployment and 400 for a malformed id', async () => {
    for (const path of [`/deployments/${unknownId}`, `/deployments/${unknownId}/events`]) {
      const response = await api.request('GET', path);
      assert.equal(response.status, 404, path);
      assert.equal((await json(response)).error.code, 'not_found');
    }
    assert.equal((await api.request('POST', `/deployments/${unknownId}/cancel`)).status, 404);
    assert.equal((await api.request('GET', '/deployments/not-a-uuid')).status, 400);
  });

  it('settles a deployment whose workflow was terminated when it is read', async () => {
    await createStack('dep-settle');
    const started = await start('/stacks/dep-settle/deploy');
    await terminate(started.workflowId);
    const deployment = await get(started.deploymentId);
    assert.equal(deployment.status, 'failed');
    assert.equal(
      deployment.error,
      `workflow ${started.workflowId} was terminated in Temporal: ended by hand`,
    );
    assert.ok(deployment.finishedAt);
    assert.equal((await findDeployment(api.db, started.deploymentId))?.status, 'failed', 'stored too');
  });

  it('lists deployments newest first, by stack id or name, with a limit', async () => {
    const stack = await createStack('dep-list');
    const first = await start('/stacks/dep-list/stop');
    await terminate(first.workflowId);
    const second = await start('/stacks/dep-list/start');
    await terminate(second.workflowId);
    for (const ref of ['dep-list', stack.id]) {
      const { items } = await json(
        await api.request('GET', `/deployments?stackId=${ref}`, { token: api.tokens.viewer }),
      );
      assert.deepEqual(
        items.map((d: { id: string; operation: string }) => [d.id, d.operation]),
        [
          [second.deploymentId, 'start'],
          [first.deploymentId, 'stop'],
        ],
        ref,
      );
      assert.deepEqual(Object.keys(items[0]).sort(), deploymentKeys);
    }
    const { items: all } = await json(await api.request('GET', '/deployments?limit=1'));
    assert.equal(all.length, 1);
    assert.equal(all[0].id, second.deploymentId);
    assert.equal((await api.request('GET', '/deployments?stackId=dep-none')).status, 404);
    assert.equal((await api.request('GET', '/deployments?limit=0')).status, 400);
  });

  it('filters the list by status and by who requested it', async () => {
    await createStack('dep-filter');
    const byDeployer = await start('/stacks/dep-filter/stop');
    await terminate(byDeployer.workflowId);
    const byAdmin = await api.request('POST', '/stacks/dep-filter/start', { token: api.tokens.admin });
    assert.equal(byAdmin.status, 202);
    const adminStarted = (await json(byAdmin)) as { deploymentId: string; workflowId: string };
    const list = async (query: string) => {
      const response = await api.request('GET', `/deployments?stackId=dep-filter&${query}`, {
        token: api.tokens.viewer,
      });
      assert.equal(response.status, 200, query);
      return ((await json(response)).items as { id: string }[]).map((d) => d.id);
    };
    assert.deepEqual(await list('requestedBy=test-deployer'), [byDeployer.deploymentId]);
    assert.deepEqual(await list('requestedBy=test-admin'), [adminStarted.deploymentId]);
    assert.deepEqual(await list('status=pending'), [adminStarted.deploymentId]);
    await get(byDeployer.deploymentId); // settles the terminated one as failed
    assert.deepEqual(await list('status=failed'), [byDeployer.deploymentId]);
    assert.deepEqual(await list('status=failed&requestedBy=test-admin'), []);
    assert.equal((await api.request('GET', '/deployments?status=finished')).status, 400);
    await terminate(adminStarted.workflowId);
  });

  it('cancels an active operation with 202, and refuses a finished one with 409', async () => {
    await createStack('dep-cancel');
    const started = await start('/stacks/dep-cancel/deploy');
    const response = await api.request('POST', `/deployments/${started.deploymentId}/cancel`, {
      token: api.tokens.deployer,
    });
    assert.equal(response.status, 202);
    assert.deepEqual(await json(response), { ...started, status: 'pending' });
    const history = await api.temporal.workflow.getHandle(started.workflowId).fetchHistory();
    assert.ok(
      history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes),
      'Temporal recorded the cancel request',
    );
    const { items } = await json(await api.request('GET', '/audit?limit=1'));
    assert.equal(items[0].action, 'POST /api/v1/deployments/:id/cancel');
    assert.equal(items[0].target, started.deploymentId);

    await terminate(started.workflowId);
    const finished = await api.request('POST', `/deployments/${started.deploymentId}/cancel`, {
      token: api.tokens.deployer,
    });
    assert.equal(finished.status, 409);
    const { error } = await json(finished);
    assert.equal(error.code, 'conflict');
    assert.equal(error.details.status, 'failed');
  });

  it('streams a finished deployment as one progress and one end event', async () => {
    await createStack('dep-done');
    const started = await start('/stacks/dep-done/deploy');
    await api.db
      .update(deployments)
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where(eq(deployments.id, started.deploymentId));
    await terminate(started.workflowId);
    const response = await api.request('GET', `/deployments/${started.deploymentId}/events`, {
      token: api.tokens.viewer,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = await collectSse(response.body!, () => false);
    assert.deepEqual(
      events.map((e) => e.event),
      ['progress', 'end'],
      'the server closes the stream after end',
    );
    const expected = await get(started.deploymentId);
    assert.deepEqual(JSON.parse(events[0]!.data), expected);
    assert.deepEqual(JSON.parse(events[1]!.data), expected);
  });

  it('streams an active deployment until it ends, with keep-alive comments meanwhile', async () => {
    await createStack('dep-live');
    const started = await start('/stacks/dep-live/deploy');
    const saved = { ...sseTiming };
    Object.assign(sseTiming, { pollMs: 50, keepAliveMs: 150 });
    try {
      const response = await api.request('GET', `/deployments/${started.deploymentId}/events`);
      const seen: string[] = [];
      let final: { status: string; error: string } | undefined;
      for await (const item of readSse(response.body!)) {
        if ('comment' in item) {
          seen.push(`: ${item.comment}`);
          // Quiet long enough for a keep-alive: now end the workflow the way an SRE might.
          if (seen.filter((s) => s === ': keep-alive').length === 1) await terminate(started.workflowId);
          continue;
        }
        seen.push(item.event);
        if (item.event === 'end') final = JSON.parse(item.data);
      }
      assert.equal(seen[0], 'progress');
      assert.ok(seen.includes(': keep-alive'), seen.join(', '));
      assert.deepEqual(seen.slice(-2), ['progress', 'end']);
      assert.equal(final?.status, 'failed');
      assert.match(final?.error ?? '', /was terminated in Temporal/);
    } finally {
      Object.assign(sseTiming, saved);
    }
  });

  it('stops polling for a client that disconnects', async () => {
    await createStack('dep-gone');
    const gone = await start('/stacks/dep-gone/deploy');
    await createStack('dep-stays');
    const stays = await start('/stacks/dep-stays/deploy');
    // The app's own Temporal client, wrapped only to count: every poll of an active deployment
    // describes its workflow through a handle.
    const polls = new Map<string, number>();
    const count = (workflowId: string) => polls.get(workflowId) ?? 0;
    const workflow = api.temporal.workflow;
    const getHandle = workflow.getHandle.bind(workflow);
    workflow.getHandle = ((...args: Parameters<typeof getHandle>) => {
      polls.set(args[0], count(args[0]) + 1);
      return getHandle(...args);
    }) as typeof workflow.getHandle;
    const saved = { ...sseTiming };
    Object.assign(sseTiming, { pollMs: 50, keepAliveMs: 50 });
    try {
      const response = await api.request('GET', `/deployments/${gone.deploymentId}/events`);
      for await (const item of readSse(response.body!)) {
        if ('event' in item) break;
      }
      const atDisconnect = count(gone.workflowId);
      assert.ok(atDisconnect >= 1, 'the stream polled while it was read');

      // A stream that stays open is the clock: while it polls ten more times, a stream still running
      // for the gone client would poll about as often. Its keep-alives wake this loop to look.
      const clockStart = count(stays.workflowId);
      const staying = await api.request('GET', `/deployments/${stays.deploymentId}/events`);
      for await (const _ of readSse(staying.body!)) {
        if (count(stays.workflowId) >= clockStart + 10) break;
      }
      // At most the poll that was in flight when the client left.
      assert.ok(
        count(gone.workflowId) <= atDisconnect + 1,
        `polls for the gone client: ${atDisconnect} at disconnect, ${count(gone.workflowId)} after`,
      );
    } finally {
      workflow.getHandle = getHandle;
      Object.assign(sseTiming, saved);
    }
  });

  it('feeds every stream of a deployment from one watcher: Temporal calls do not grow with streams', async () => {
    await createStack('dep-shared');
    const started = await start('/stacks/dep-shared/deploy');
    const polls = countHandles(api);
    const saved = { ...sseTiming };
    Object.assign(sseTiming, { pollMs: 50, keepAliveMs: 60_000 });
    const readers: AsyncGenerator<unknown>[] = [];
    try {
      const firstEvents: string[] = [];
      for (let i = 0; i < 8; i += 1) {
        const response = await api.request('GET', `/deployments/${started.deploymentId}/events`, {
          token: api.tokens.viewer,
        });
        assert.equal(response.status, 200);
        const reader = readSse(response.body!);
        readers.push(reader);
        const first = await reader.next();
        firstEvents.push(JSON.stringify(first.value));
      }
      assert.equal(new Set(firstEvents).size, 1, 'every stream starts with the same full state');
      const before = polls.count(started.workflowId);
      const from = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const made = polls.count(started.workflowId) - before;
      const rounds = (Date.now() - from) / sseTiming.pollMs;
      // Eight streams polling on their own would make about eight calls a round; one watcher makes one.
      assert.ok(made >= 1, 'the watcher kept polling');
      assert.ok(made <= rounds + 2, `${made} describe calls in ${rounds.toFixed(1)} rounds for 8 streams`);
    } finally {
      await Promise.all(readers.map((reader) => reader.return(undefined)));
      polls.restore();
      Object.assign(sseTiming, saved);
      await terminate(started.workflowId);
    }
  });

  it('answers plain GETs of a running deployment through one leased watcher: Temporal calls do not grow with requests', async () => {
    await createStack('dep-polled');
    const started = await start('/stacks/dep-polled/deploy');
    const saved = { ...sseTiming };
    Object.assign(sseTiming, { pollMs: 200, leaseMs: 2_000 });
    const polls = countHandles(api);
    try {
      const first = await get(started.deploymentId);
      const before = polls.count(started.workflowId);
      const from = Date.now();
      for (let i = 0; i < 60; i += 1) assert.equal((await get(started.deploymentId)).id, first.id);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const made = polls.count(started.workflowId) - before;
      const rounds = (Date.now() - from) / sseTiming.pollMs;
      // Sixty GETs asking Temporal on their own would make sixty look-ups; the lease's watcher one a round.
      assert.ok(made <= rounds + 2, `${made} Temporal look-ups for 60 GETs in ${rounds.toFixed(1)} rounds`);
    } finally {
      polls.restore();
      Object.assign(sseTiming, saved);
      await terminate(started.workflowId);
    }
  });

  it('answers GET from the watcher of a followed deployment, without asking Temporal again', async () => {
    await createStack('dep-cached');
    const started = await start('/stacks/dep-cached/deploy');
    const saved = { ...sseTiming };
    // The watcher reads once, then sleeps past this test.
    Object.assign(sseTiming, { pollMs: 60_000, keepAliveMs: 60_000 });
    const polls = countHandles(api);
    try {
      const response = await api.request('GET', `/deployments/${started.deploymentId}/events`);
      const reader = readSse(response.body!);
      const first = await reader.next();
      const streamed = JSON.parse((first.value as { data: string }).data);
      const afterFirstRead = polls.count(started.workflowId);
      assert.deepEqual(await get(started.deploymentId), streamed);
      const { items } = await json(await api.request('GET', '/deployments?stackId=dep-cached'));
      assert.deepEqual(items, [streamed]);
      assert.equal(polls.count(started.workflowId), afterFirstRead, 'no Temporal call beyond the watcher’s');
      await reader.return(undefined);
    } finally {
      polls.restore();
      Object.assign(sseTiming, saved);
      await terminate(started.workflowId);
    }
  });

  it('ends an open event stream within seconds once its token is revoked', async () => {
    await createStack('dep-revoke');
    const started = await start('/stacks/dep-revoke/deploy');
    const made = await json(
      await api.request('POST', '/tokens', { json: { name: 'revoked-viewer', role: 'viewer' } }),
    );
    const saved = { ...sseTiming };
    Object.assign(sseTiming, { pollMs: 50, keepAliveMs: 300 });
    try {
      const response = await api.request('GET', `/deployments/${started.deploymentId}/events`, {
        token: made.token,
      });
      assert.equal(response.status, 200);
      const seen: string[] = [];
      let revokedAt = 0;
      let error: unknown;
      for await (const item of readSse(response.body!)) {
        // Keep-alives keep coming while a stream stays open: give up on one that outlives the revoke.
        if (revokedAt && Date.now() - revokedAt > 8_000) break;
        if ('comment' in item) {
          // The stream is flowing: revoke its token now.
          if (!revokedAt) {
            assert.equal((await api.request('DELETE', `/tokens/${made.id}`)).status, 204);
            revokedAt = Date.now();
          }
          continue;
        }
        seen.push(item.event);
        if (item.event === 'error') error = JSON.parse(item.data);
      }
      const closedAfter = Date.now() - revokedAt;
      assert.ok(revokedAt > 0, seen.join(', '));
      assert.ok(closedAfter < 5_000, `closed ${closedAfter} ms after the revoke`);
      assert.deepEqual(error, { error: { code: 'unauthorized', message: 'the token was revoked' } });
    } finally {
      Object.assign(sseTiming, saved);
      await terminate(started.workflowId);
    }
  });

  it('caps the open streams of one token with 429, and frees a slot when a stream closes', async () => {
    const capped = await createTestApi(await useInfra(), { deps: { maxStreamsPerToken: 2 } });
    try {
      await capped.request('POST', '/hosts', { json: { id: 'cap-host' } });
      const created = await capped.request('POST', '/stacks?name=dep-cap', {
        body: 'services:\n  app:\n    image: busybox\n',
        headers: { 'content-type': 'application/yaml' },
      });
      assert.equal(created.status, 201);
      const deploy = await capped.request('POST', '/stacks/dep-cap/deploy', {
        token: capped.tokens.deployer,
      });
      const { deploymentId } = (await json(deploy)) as { deploymentId: string };
      const open = (token: string) => capped.request('GET', `/deployments/${deploymentId}/events`, { token });
      const first = await open(capped.tokens.viewer);
      const second = await open(capped.tokens.viewer);
      assert.deepEqual([first.status, second.status], [200, 200]);
      const refused = await open(capped.tokens.viewer);
      assert.equal(refused.status, 429);
      const { error } = await json(refused);
      assert.equal(error.code, 'too_many_requests');
      assert.match(error.message, /token "test-viewer" already has 2 open event streams \(the limit is 2\)/);
      assert.deepEqual(error.details, { open: 2, limit: 2 });
      const otherToken = await open(capped.tokens.deployer);
      assert.equal(otherToken.status, 200, 'the cap is per token');

      await first.body!.cancel();
      const again = await waitFor('the closed stream to free its slot', async () => {
        const response = await open(capped.tokens.viewer);
        if (response.status === 200) return response;
        await response.body?.cancel();
        return false;
      });
      assert.equal(again.status, 200);
      await Promise.all([second, otherToken, again].map((r) => r.body!.cancel()));
    } finally {
      await capped.close();
    }
  });
});
