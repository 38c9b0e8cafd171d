import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { placements } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { startAgent, stopAll, waitUntilPolling } from '../../../test/harness/graphium.js';
import { type TestInfra, useInfra } from '../../../test/harness/infra.js';
import { waitFor } from '../../../test/harness/ports.js';
import type { ManagedProcess } from '../../../test/harness/processes.js';

// Host ids are unique per run: Temporal remembers a queue's pollers for minutes, and other test files
// run agents on the same server.
const suffix = randomBytes(3).toString('hex');
const hostId = (name: string) => `${name}-${suffix}`;

describe('hosts API (real Temporal, a real agent)', () => {
  let infra: TestInfra;
  let api: TestApi;
  const processes: ManagedProcess[] = [];

  before(async () => {
    infra = await useInfra();
    api = await createTestApi(infra);
  });
  after(async () => {
    await stopAll(processes);
    await api?.close();
  });

  it('enforces roles: admin registers and deletes, viewers read', async () => {
    await assertAccessRule(api, {
      method: 'POST',
      path: '/hosts',
      role: 'admin',
      options: { json: { id: hostId('denied') } },
    });
    await assertAccessRule(api, { method: 'GET', path: '/hosts', role: 'viewer' });
    await assertAccessRule(api, { method: 'GET', path: `/hosts/${hostId('denied')}`, role: 'viewer' });
    await assertAccessRule(api, { method: 'DELETE', path: `/hosts/${hostId('denied')}`, role: 'admin' });
  });

  it('registers a host and says exactly how to start its agent', async () => {
    const id = hostId('vm1');
    const response = await api.request('POST', '/hosts', {
      json: { id, name: 'Rack 1', labels: { zone: 'a' } },
    });
    assert.equal(response.status, 201);
    const host = await json(response);
    assert.equal(host.id, id);
    assert.equal(host.name, 'Rack 1');
    assert.deepEqual(host.labels, { zone: 'a' });
    assert.deepEqual(host.agent.environment, {
      GRAPHIUM_HOST_ID: id,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_NAMESPACE: infra.namespace,
    });
    assert.equal(
      host.agent.command,
      `GRAPHIUM_HOST_ID=${id} TEMPORAL_ADDRESS=${infra.temporalAddress} TEMPORAL_NAMESPACE=${infra.namespace} ` +
        'GRAPHIUM_PAYLOAD_KEYS="$GRAPHIUM_PAYLOAD_KEYS" GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS="$GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS" npm run agent',
    );
    assert.match(
      host.agent.dockerCommand,
      /^docker run .*-v \/var\/run\/docker.sock:\/var\/run\/docker.sock /,
    );
    assert.match(host.agent.dockerCommand, new RegExp(`-e GRAPHIUM_HOST_ID=${id} `));
    // The keys come from the operator's shell, never from an API answer.
    assert.match(host.agent.dockerCommand, / -e GRAPHIUM_PAYLOAD_KEYS -e GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS /);
    assert.match(
      host.agent.dockerCommand,
      / --user root .* graphium:latest node --import tsx worker-agent\/main.ts$/,
    );
  });

  it('defaults the name to the id, and refuses a duplicate id with 409', async () => {
    const id = hostId('dup');
    const first = await json(await api.request('POST', '/hosts', { json: { id } }));
    assert.equal(first.name, id);
    assert.deepEqual(first.labels, {});
    const again = await api.request('POST', '/hosts', { json: { id, name: 'other' } });
    assert.equal(again.status, 409);
    assert.equal((await json(again)).error.code, 'conflict');
  });

  it('refuses ids outside hostIdPattern, bad labels and unknown fields with 400', async () => {
    for (const body of [
      { id: 'VM1' },
      { id: '-vm' },
      { id: 'a'.repeat(64) },
      { id: 'vm/1' },
      { id: 'vm1', labels: { zone: 1 } },
      { id: 'vm1', labels: { 'bad key': 'x' } },
      { id: 'vm1', hostname: 'typo' },
    ]) {
      const response = await api.request('POST', '/hosts', { json: body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal((await json(response)).error.code, 'invalid_request');
    }
  });

  it('answers 400, not 500, for values PostgreSQL cannot store, and still audits the request', async () => {
    const named = await api.request('POST', '/hosts', { json: { id: hostId('nul'), name: 'a\u0000b' } });
    assert.equal(named.status, 400);
    assert.match((await json(named)).error.message, /NUL character/);
    const labelled = await api.request('POST', '/hosts', {
      json: { id: hostId('nul'), labels: { zone: 'a\u0000' } },
    });
    assert.equal(labelled.status, 400);
    assert.equal((await api.request('GET', `/hosts/${hostId('nul')}`)).status, 404, 'nothing was stored');
    const path = await api.request('DELETE', '/hosts/vm%00x');
    assert.equal(path.status, 400, 'a NUL in the path');
    const audit = await json(await api.request('GET', '/audit?limit=5'));
    const entry = audit.items.find((item: { action: string }) => item.action === 'DELETE /api/v1/hosts/:id');
    assert.equal(entry?.target, 'vm\uFFFDx', 'the NUL is replaced, the row is written');
  });

  it('reports a host without an agent as offline, with no agent', async () => {
    const id = hostId('lonely');
    await api.request('POST', '/hosts', { json: { id } });
    const host = await json(await api.request('GET', `/hosts/${id}`, { token: api.tokens.viewer }));
    assert.equal(host.status, 'offline');
    assert.equal(host.agent, null);
    assert.equal(host.id, id);
  });

  it('reports a host as online, naming its agent, while a real agent polls its queue', async () => {
    const id = hostId('live');
    await api.request('POST', '/hosts', { json: { id, labels: { zone: 'b' } } });
    const agent = startAgent(infra, id, infra.dockerHosts[0]!.dockerHost);
    processes.push(agent);
    await waitUntilPolling([agent]);
    const host = await waitFor(
      `host ${id} online`,
      async () => {
        const body = await json(await api.request('GET', `/hosts/${id}`, { token: api.tokens.viewer }));
        return body.status === 'online' ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.match(host.agent.identity, new RegExp(`^agent:${id}@`));
    assert.ok(Date.now() - Date.parse(host.agent.lastPollAt) < 90_000);

    const { items } = await json(await api.request('GET', '/hosts', { token: api.tokens.viewer }));
    const byId = new Map(items.map((h: { id: string }) => [h.id, h]));
    assert.equal((byId.get(id) as { status: string }).status, 'online');
    assert.equal((byId.get(hostId('lonely')) as { status: string }).status, 'offline');
    assert.deepEqual(
      items.map((h: { id: string }) => h.id),
      [...items.map((h: { id: string }) => h.id)].sort(),
      'listed by id',
    );
  });

  it('answers 404 for an unknown host', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await api.request(method, `/hosts/${hostId('ghost')}`);
      assert.equal(response.status, 404, method);
      assert.equal((await json(response)).error.code, 'not_found');
    }
  });

  it('deletes a host, but not while containers are placed on it', async () => {
    const id = hostId('busy');
    await api.request('POST', '/hosts', { json: { id } });
    const stack = await json(
      await api.request('POST', '/stacks?name=on-busy', {
        body: 'services:\n  web:\n    image: busybox\n',
        headers: { 'content-type': 'application/yaml' },
      }),
    );
    await api.db.insert(placements).values({
      stackId: stack.id,
      hostId: id,
      name: 'on-busy_web_1',
      service: 'web',
      replica: 1,
      containerId: 'c0ffee',
      image: 'busybox',
      state: 'running',
    });
    const refused = await api.request('DELETE', `/hosts/${id}`);
    assert.equal(refused.status, 409);
    assert.match((await json(refused)).error.message, /still runs 1 container/);

    const idle = hostId('idle');
    await api.request('POST', '/hosts', { json: { id: idle } });
    assert.equal((await api.request('DELETE', `/hosts/${idle}`)).status, 204);
    assert.equal((await api.request('GET', `/hosts/${idle}`)).status, 404);
  });
});
