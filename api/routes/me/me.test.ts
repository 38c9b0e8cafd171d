import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

describe('GET /me', () => {
  let api: TestApi;
  let linked: TestApi;

  before(async () => {
    const infra = await useInfra();
    api = await createTestApi(infra);
    linked = await createTestApi(infra, { deps: { temporalUiUrl: 'http://127.0.0.1:8233' } });
  });
  after(async () => {
    await api?.close();
    await linked?.close();
  });

  it('answers any valid token, and nobody else', async () => {
    await assertAccessRule(api, { method: 'GET', path: '/me', role: 'viewer' });
  });

  it('names the caller and its role, the bootstrap token as bootstrap-admin', async () => {
    for (const role of ['viewer', 'deployer', 'admin'] as const) {
      const me = await json(await api.request('GET', '/me', { token: api.tokens[role] }));
      assert.deepEqual(me, { name: `test-${role}`, role, temporalUi: null });
    }
    const bootstrap = await json(await api.request('GET', '/me', { token: api.bootstrapToken }));
    assert.deepEqual([bootstrap.name, bootstrap.role], ['bootstrap-admin', 'admin']);
  });

  it('tells where the Temporal UI is when TEMPORAL_UI_URL is set', async () => {
    const me = await json(await linked.request('GET', '/me', { token: linked.tokens.viewer }));
    assert.deepEqual(me.temporalUi, { url: 'http://127.0.0.1:8233', namespace: 'default' });
  });
});
