import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { apiTokens } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';
import { waitFor } from '../../../test/harness/ports.js';

const NIL_UUID = '00000000-0000-4000-8000-000000000000';

describe('tokens API', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it('enforces the admin role on every token route', async () => {
    await assertAccessRule(api, {
      method: 'POST',
      path: '/tokens',
      role: 'admin',
      options: { json: { name: 'x', role: 'viewer' } },
    });
    await assertAccessRule(api, { method: 'GET', path: '/tokens', role: 'admin' });
    await assertAccessRule(api, { method: 'DELETE', path: `/tokens/${NIL_UUID}`, role: 'admin' });
  });

  it('creates a token whose secret is shown once and stored only as its SHA-256', async () => {
    const response = await api.request('POST', '/tokens', { json: { name: 'ci', role: 'deployer' } });
    assert.equal(response.status, 201);
    const created = await json(response);
    assert.deepEqual(Object.keys(created).sort(), ['id', 'name', 'role', 'token']);
    assert.equal(created.name, 'ci');
    assert.equal(created.role, 'deployer');
    assert.match(created.token, /^gph_[A-Za-z0-9_-]{43}$/);

    const [row] = await api.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    assert.ok(row);
    assert.notEqual(row.tokenHash, created.token);
    assert.equal(row.tokenHash, createHash('sha256').update(created.token).digest('hex'));
    assert.equal(row.createdBy, 'test-admin');

    const use = await api.request('GET', '/stacks', { token: created.token });
    assert.equal(use.status, 200, 'the new token works at its role');
    const refused = await api.request('POST', '/hosts', { token: created.token, json: { id: 'vm-ci' } });
    assert.equal(refused.status, 403, 'and no higher');
  });

  it('lists tokens without secrets or hashes', async () => {
    const response = await api.request('GET', '/tokens');
    assert.equal(response.status, 200);
    const { items } = await json(response);
    assert.ok(items.some((token: { name: string }) => token.name === 'test-viewer'));
    for (const token of items) {
      assert.deepEqual(Object.keys(token).sort(), [
        'createdAt',
        'createdBy',
        'id',
        'lastUsedAt',
        'name',
        'revokedAt',
        'role',
      ]);
    }
    const text = JSON.stringify(items);
    for (const secret of Object.values(api.tokens)) assert.ok(!text.includes(secret));
  });

  it('records when a token was last used', async () => {
    const { id, token } = await json(
      await api.request('POST', '/tokens', { json: { name: 'watched', role: 'viewer' } }),
    );
    const lastUsedAt = async (): Promise<string | undefined> => {
      const { items } = await json(await api.request('GET', '/tokens'));
      return items.find((t: { id: string }) => t.id === id).lastUsedAt ?? undefined;
    };
    assert.equal(await lastUsedAt(), undefined, 'never used yet');
    const before = Date.now();
    await api.request('GET', '/hosts', { token });
    // The write is deliberately off the request path.
    const used = await waitFor('lastUsedAt', lastUsedAt, { timeoutMs: 5_000, intervalMs: 50 });
    assert.ok(Date.parse(used) >= before - 1000);
  });

  it('revokes a token: it stops working at once, and revoking again is harmless', async () => {
    const { id, token } = await json(
      await api.request('POST', '/tokens', { json: { name: 'short-lived', role: 'viewer' } }),
    );
    assert.equal((await api.request('GET', '/hosts', { token })).status, 200);
    assert.equal((await api.request('DELETE', `/tokens/${id}`)).status, 204);
    const refused = await api.request('GET', '/hosts', { token });
    assert.equal(refused.status, 401);
    assert.equal((await json(refused)).error.code, 'unauthorized');
    assert.equal((await api.request('DELETE', `/tokens/${id}`)).status, 204);
    const listed = await json(await api.request('GET', '/tokens'));
    assert.ok(listed.items.find((t: { id: string }) => t.id === id).revokedAt);
  });

  it('answers 404 for an unknown token and 400 for a malformed id', async () => {
    const missing = await api.request('DELETE', `/tokens/${NIL_UUID}`);
    assert.equal(missing.status, 404);
    assert.equal((await json(missing)).error.code, 'not_found');
    const malformed = await api.request('DELETE', '/tokens/not-a-uuid');
    assert.equal(malformed.status, 400);
    assert.equal((await json(malformed)).error.details.issues[0].path, 'id');
  });

  it('refuses unknown roles and names it cannot show', async () => {
    for (const body of [
      { name: 'x', role: 'root' },
      { name: '', role: 'viewer' },
      { name: 'x'.repeat(65), role: 'viewer' },
    ]) {
      const response = await api.request('POST', '/tokens', { json: body });
      assert.equal(response.status, 400, JSON.stringify(body));
    }
  });
});
