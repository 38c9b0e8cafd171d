import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { replacePlacements } from '../../../db/repositories/placements.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

// Placements are written by the orchestrator from what the agents report; here they are written
// directly, as that control activity would, to check what the route reads back.

const observed = (name: string, service: string, replica: number, state = 'running') => ({
  name,
  service,
  replica,
  containerId: `id-${name}`,
  image: 'busybox',
  state,
  deploymentId: 'd1',
});

describe('GET /containers', () => {
  let api: TestApi;
  let shop: { id: string };

  before(async () => {
    api = await createTestApi(await useInfra());
    const create = async (name: string) => {
      const response = await api.request('POST', `/stacks?name=${name}`, {
        body: 'services:\n  web:\n    image: busybox\n',
        headers: { 'content-type': 'application/yaml' },
      });
      assert.equal(response.status, 201);
      return (await json(response)) as { id: string };
    };
    shop = await create('ctr-shop');
    const blog = await create('ctr-blog');
    await replacePlacements(api.db, shop.id, [
      { hostId: 'vm1', containers: [observed('ctr-shop_web_1', 'web', 1)] },
      { hostId: 'vm2', containers: [observed('ctr-shop_web_2', 'web', 2, 'exited')] },
    ]);
    await replacePlacements(api.db, blog.id, [
      { hostId: 'vm1', containers: [observed('ctr-blog_web_1', 'web', 1)] },
    ]);
  });
  after(() => api?.close());

  it('is readable by viewers', async () => {
    await assertAccessRule(api, { method: 'GET', path: '/containers', role: 'viewer' });
  });

  it('lists every container by host, stack and name, filtered by stack or host', async () => {
    const names = async (query: string) => {
      const response = await api.request('GET', `/containers${query}`, { token: api.tokens.viewer });
      assert.equal(response.status, 200, query);
      return ((await json(response)).items as { hostId: string; name: string }[]).map(
        (c) => `${c.hostId}/${c.name}`,
      );
    };
    assert.deepEqual(await names(''), ['vm1/ctr-blog_web_1', 'vm1/ctr-shop_web_1', 'vm2/ctr-shop_web_2']);
    assert.deepEqual(await names('?stackId=ctr-shop'), ['vm1/ctr-shop_web_1', 'vm2/ctr-shop_web_2']);
    assert.deepEqual(await names(`?stackId=${shop.id}&hostId=vm2`), ['vm2/ctr-shop_web_2']);
    assert.deepEqual(await names('?hostId=vm1'), ['vm1/ctr-blog_web_1', 'vm1/ctr-shop_web_1']);
    const [first] = (await json(await api.request('GET', '/containers?hostId=vm2'))).items;
    assert.deepEqual(Object.keys(first).sort(), [
      'containerId',
      'deploymentId',
      'hostId',
      'image',
      'name',
      'observedAt',
      'replica',
      'service',
      'stack',
      'stackId',
      'state',
    ]);
    assert.equal(first.state, 'exited');
    assert.equal(first.stack, 'ctr-shop');
    assert.equal((await api.request('GET', '/containers?stackId=ctr-none')).status, 404);
  });
});
