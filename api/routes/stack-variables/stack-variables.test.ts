import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { stackVariables } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

describe('stack variables API', () => {
  let api: TestApi;
  let stackId: string;

  before(async () => {
    api = await createTestApi(await useInfra());
    const created = await api.request('POST', '/stacks', {
      json: { name: 'vars', compose: 'services:\n  app:\n    image: busybox\n' },
    });
    stackId = (await json(created)).id;
  });
  after(() => api?.close());

  it('lets viewers read names, deployers write', async () => {
    const body = { json: { variables: { TAG: '1' } } };
    await assertAccessRule(api, { method: 'GET', path: '/stacks/vars/variables', role: 'viewer' });
    await assertAccessRule(api, {
      method: 'PUT',
      path: '/stacks/vars/variables',
      role: 'deployer',
      options: body,
    });
  });

  it('stores values sealed, shows them to deployers and hides them from viewers', async () => {
    const put = await api.request('PUT', '/stacks/vars/variables', {
      token: api.tokens.deployer,
      json: { variables: { DB_PASSWORD: 'hunter2-very-secret', TAG: '1.4' } },
    });
    assert.equal(put.status, 200);
    const rows = await api.db.select().from(stackVariables).where(eq(stackVariables.stackId, stackId));
    assert.equal(rows.length, 2);
    for (const row of rows) assert.ok(!row.value.includes(Buffer.from('hunter2')), 'sealed at rest');

    const asDeployer = await json(
      await api.request('GET', '/stacks/vars/variables', { token: api.tokens.deployer }),
    );
    assert.deepEqual(asDeployer.variables, { DB_PASSWORD: 'hunter2-very-secret', TAG: '1.4' });
    const asViewer = await json(
      await api.request('GET', '/stacks/vars/variables', { token: api.tokens.viewer }),
    );
    assert.deepEqual(asViewer.variables, { DB_PASSWORD: '***', TAG: '***' });

    const audit = await json(await api.request('GET', '/audit?limit=5'));
    assert.ok(!JSON.stringify(audit).includes('hunter2'), 'the audit log holds names, never values');
    // Who read the values is audited; a viewer, who got them masked, is not.
    const reads = audit.items.filter(
      (entry: { action: string }) => entry.action === 'GET /api/v1/stacks/:id/variables',
    );
    assert.deepEqual(
      reads.map((entry: { actor: string; target: string; details: { names: string[] } }) => [
        entry.actor,
        entry.target,
        entry.details.names,
      ]),
      [['test-deployer', stackId, ['DB_PASSWORD', 'TAG']]],
    );
  });

  it('replaces the whole set, and refuses a name no shell would accept', async () => {
    await api.request('PUT', '/stacks/vars/variables', { json: { variables: { ONLY: 'x' } } });
    assert.deepEqual((await json(await api.request('GET', '/stacks/vars/variables'))).variables, {
      ONLY: 'x',
    });
    const bad = await api.request('PUT', '/stacks/vars/variables', {
      json: { variables: { 'not-a-name': 'x' } },
    });
    assert.equal(bad.status, 400);
    assert.equal((await json(bad)).error.code, 'invalid_request');
    assert.equal((await api.request('GET', '/stacks/nope/variables')).status, 404);
  });
});
