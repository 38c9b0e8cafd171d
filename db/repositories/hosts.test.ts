import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from '../../test/harness/databases.js';
import { placements, stacks } from '../schema.js';
import { finishDeployment, insertDeployment } from './deployments.js';
import {
  activeDeploymentsOnHost,
  countContainersOnHost,
  deleteUnusedHost,
  getHost,
  insertHost,
  listHosts,
} from './hosts.js';
import { createStack } from './stacks.js';

forEachDatabase('hosts repository', (db) => {
  it('inserts a host once; a duplicate id inserts nothing', async () => {
    const row = await insertHost(db(), { id: 'vm2', name: 'two', labels: { zone: 'b' } });
    assert.deepEqual(row?.labels, { zone: 'b' });
    assert.ok(row?.createdAt instanceof Date);
    assert.equal(await insertHost(db(), { id: 'vm2', name: 'again', labels: {} }), undefined);
    assert.equal((await getHost(db(), 'vm2'))?.name, 'two');
    await insertHost(db(), { id: 'vm1', name: 'one', labels: {} });
    assert.deepEqual(
      (await listHosts(db())).map((host) => host.id),
      ['vm1', 'vm2'],
    );
  });

  it('deletes a host only while no container is placed on it', async () => {
    await insertHost(db(), { id: 'busy', name: 'busy', labels: {} });
    const [stack] = await db().insert(stacks).values({ name: 'shop', currentVersion: 1 }).returning();
    await db().insert(placements).values({
      stackId: stack!.id,
      hostId: 'busy',
      name: 'shop_web_1',
      service: 'web',
      replica: 1,
      containerId: 'abc',
      image: 'busybox',
      state: 'running',
    });
    assert.equal(await countContainersOnHost(db(), 'busy'), 1);
    assert.equal(await deleteUnusedHost(db(), 'busy'), 'in_use');
    assert.equal(await deleteUnusedHost(db(), 'vm1'), 'deleted');
    assert.equal(await deleteUnusedHost(db(), 'vm1'), 'missing');
    assert.equal(await getHost(db(), 'vm1'), undefined);
  });

  it('deletes a host only while no pending or running operation targets it', async () => {
    await insertHost(db(), { id: 'target', name: 'target', labels: {} });
    await insertHost(db(), { id: 'targ', name: 'targ', labels: {} });
    const stack = (await createStack(db(), 'busy-stack', {
      source: 'services: {}',
      format: 'yaml',
      spec: { services: [], networks: [], volumes: [] },
      createdBy: 'tester',
    }))!.stack;
    const running = await insertDeployment(db(), {
      stackId: stack.id,
      stackName: stack.name,
      operation: 'deploy',
      version: 1,
      hostIds: ['other', 'target'],
      containers: [],
      requestedBy: 'tester',
      workflowId: (sequence) => `deploy-busy-stack-${sequence}`,
    });
    assert.deepEqual(
      (await activeDeploymentsOnHost(db(), 'target')).map((row) => row.id),
      [running.id],
    );
    assert.deepEqual(await activeDeploymentsOnHost(db(), 'targ'), []);
    assert.equal(await deleteUnusedHost(db(), 'target'), 'in_use', 'its operation has placed nothing yet');
    assert.equal(await deleteUnusedHost(db(), 'targ'), 'deleted', 'only exact host ids count');

    await finishDeployment(db(), {
      deploymentId: running.id,
      status: 'rolled_back',
      error: null,
      progress: 0,
      containers: [],
    });
    assert.deepEqual(await activeDeploymentsOnHost(db(), 'target'), []);
    assert.equal(await deleteUnusedHost(db(), 'target'), 'deleted', 'a finished operation holds nothing');
  });
});
