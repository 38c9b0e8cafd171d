import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

interface AuditItem {
  actor: string;
  action: string;
  target: string | null;
  status: number;
  details: Record<string, unknown>;
}

describe('audit log', () => {
  let api: TestApi;
  const latest = async (query = ''): Promise<AuditItem> => {
    const { items } = await json(await api.request('GET', `/audit?limit=1${query}`));
    return items[0];
  };

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it('is readable by admins only', async () => {
    await assertAccessRule(api, { method: 'GET', path: '/audit', role: 'admin' });
  });

  it('records a successful create with its actor, action, target and status', async () => {
    const response = await api.request('POST', '/hosts', { json: { id: 'audited', labels: { zone: 'a' } } });
    assert.equal(response.status, 201);
    const entry = await latest();
    assert.equal(entry.actor, 'test-admin');
    assert.equal(entry.action, 'POST /api/v1/hosts');
    assert.equal(entry.target, 'audited');
    assert.equal(entry.status, 201);
    assert.match(String(entry.details.tokenId), /^[0-9a-f-]{36}$/);
  });

  it('records refusals: 403 with the caller, 401 as anonymous, 400 with its code', async () => {
    await api.request('DELETE', '/hosts/audited', { token: api.tokens.deployer });
    const forbidden = await latest();
    assert.deepEqual(
      [forbidden.actor, forbidden.action, forbidden.target, forbidden.status, forbidden.details.error],
      ['test-deployer', 'DELETE /api/v1/hosts/:id', 'audited', 403, 'forbidden'],
    );

    await api.request('POST', '/stacks?name=x', { token: null, body: 'services: {}' });
    const anonymous = await latest();
    assert.equal(anonymous.actor, 'anonymous');
    assert.equal(anonymous.action, 'POST /api/v1/stacks');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.details.error, 'unauthorized');

    await api.request('POST', '/hosts', { json: { id: 'Not Valid' } });
    const invalid = await latest();
    assert.equal(invalid.status, 400);
    assert.equal(invalid.details.error, 'invalid_request');
  });

  it('records a request whose path holds a malformed escape, instead of failing with 500', async () => {
    const response = await api.request('DELETE', '/hosts/%E0%A4%A', { token: null });
    assert.equal(response.status, 401);
    const entry = await latest();
    assert.deepEqual(
      [entry.actor, entry.action, entry.target, entry.status, entry.details.error],
      ['anonymous', 'DELETE /api/v1/hosts/:id', '%E0%A4%A', 401, 'unauthorized'],
    );
  });

  it('never stores a token secret, and skips reads', async () => {
    const { token } = await json(
      await api.request('POST', '/tokens', { json: { name: 'audited', role: 'viewer' } }),
    );
    const entry = await latest();
    assert.equal(entry.action, 'POST /api/v1/tokens');
    assert.deepEqual(entry.details, { name: 'audited', role: 'viewer', tokenId: entry.details.tokenId });
    assert.ok(!JSON.stringify(entry).includes(token));

    await api.request('GET', '/hosts');
    assert.equal((await latest()).action, 'POST /api/v1/tokens', 'a GET is not audited');
  });

  it('filters by actor and bounds the page', async () => {
    await api.request('POST', '/stacks?name=by-bootstrap', {
      token: api.bootstrapToken,
      body: 'services:\n  web:\n    image: busybox\n',
      headers: { 'content-type': 'application/yaml' },
    });
    const { items } = await json(await api.request('GET', '/audit?actor=bootstrap-admin&limit=50'));
    assert.ok(items.length >= 1);
    assert.ok(items.every((item: AuditItem) => item.actor === 'bootstrap-admin'));
    assert.equal(items[0].action, 'POST /api/v1/stacks');
    assert.equal(items[0].details.name, 'by-bootstrap');
    assert.equal((await api.request('GET', '/audit?limit=0')).status, 400);
    assert.equal((await api.request('GET', '/audit?limit=1001')).status, 400);
  });

  it('filters by stack (its requests and the cancels of its operations) and by status or status class', async () => {
    const yaml = { 'content-type': 'application/yaml' };
    const created = await api.request('POST', '/stacks?name=audit-shop', {
      body: 'services:\n  web:\n    image: busybox\n',
      headers: yaml,
    });
    const stack = await json(created);
    await api.request('PUT', '/stacks/audit-shop', {
      token: api.tokens.viewer,
      body: 'services:\n  web:\n    image: busybox:2\n',
      headers: yaml,
    });
    await api.request('POST', '/stacks?name=audit-other', {
      body: 'services:\n  web:\n    image: busybox\n',
      headers: yaml,
    });
    const list = async (query: string) => {
      const response = await api.request('GET', `/audit?limit=50&${query}`);
      assert.equal(response.status, 200, query);
      return (await json(response)).items as AuditItem[];
    };
    const forShop = await list('stackId=audit-shop');
    assert.deepEqual(
      forShop.map((entry) => [entry.action, entry.status]),
      [
        ['PUT /api/v1/stacks/:id', 403],
        ['POST /api/v1/stacks', 201],
      ],
    );
    assert.deepEqual(await list(`stackId=${stack.id}&status=4xx`), [forShop[0]]);
    assert.deepEqual(await list(`stackId=${stack.id}&status=201`), [forShop[1]]);
    assert.ok((await list('status=4xx')).every((entry) => entry.status >= 400 && entry.status < 500));
    assert.equal((await api.request('GET', '/audit?stackId=audit-none')).status, 404);
    assert.equal((await api.request('GET', '/audit?status=4x')).status, 400);
  });
});
