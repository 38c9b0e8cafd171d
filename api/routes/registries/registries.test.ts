import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { registryCredentials } from '../../../db/repositories/registries.js';
import { registries } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

describe('registries API', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it('is for admins only', async () => {
    const body = { host: 'access.example', username: 'u', password: 'p' };
    await assertAccessRule(api, {
      method: 'POST',
      path: '/registries',
      role: 'admin',
      options: { json: body },
    });
    await assertAccessRule(api, { method: 'GET', path: '/registries', role: 'admin' });
    await assertAccessRule(api, { method: 'DELETE', path: '/registries/access.example', role: 'admin' });
  });

  it('stores a password sealed and never returns it', async () => {
    const created = await api.request('POST', '/registries', {
      json: { host: 'registry.example.com:5000', username: 'deploy', password: 'pa55-w0rd!' },
    });
    assert.equal(created.status, 201);
    const body = await json(created);
    assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'createdBy', 'host', 'updatedAt', 'username']);
    const [row] = await api.db
      .select()
      .from(registries)
      .where(eq(registries.host, 'registry.example.com:5000'));
    assert.ok(!row!.password.includes(Buffer.from('pa55-w0rd!')), 'the stored password is sealed');
    const listed = await json(await api.request('GET', '/registries'));
    assert.ok(!JSON.stringify(listed).includes('pa55'), 'the list holds no password');
    const [opened] = await registryCredentials(api.db, api.keyring, ['registry.example.com:5000']);
    assert.equal(opened?.password, 'pa55-w0rd!');
  });

  it('replaces the credentials of a known host (200), and forgets them on delete', async () => {
    const replaced = await api.request('POST', '/registries', {
      json: { host: 'registry.example.com:5000', username: 'other', password: 'n3w' },
    });
    assert.equal(replaced.status, 200);
    assert.equal((await json(replaced)).username, 'other');
    assert.equal((await api.request('DELETE', '/registries/registry.example.com:5000')).status, 204);
    assert.equal((await api.request('DELETE', '/registries/registry.example.com:5000')).status, 404);
  });

  it('refuses a host that is not a registry host, with the documented error', async () => {
    const response = await api.request('POST', '/registries', {
      json: { host: 'https://ghcr.io/', username: 'u', password: 'p' },
    });
    assert.equal(response.status, 400);
    assert.equal((await json(response)).error.code, 'invalid_request');
  });
});
