import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eq } from 'drizzle-orm';
import type { StackSpec } from '../../stack/types.js';
import { forEachDatabase } from '../../test/harness/databases.js';
import { stacks } from '../schema.js';
import {
  addStackVersion,
  createStack,
  findLiveStack,
  getStackVersion,
  listLiveStacks,
  listStackVersions,
  type NewStackVersion,
} from './stacks.js';

const spec = (image: string): StackSpec => ({
  services: [
    {
      name: 'web',
      image,
      environment: {},
      ports: [],
      mounts: [],
      labels: {},
      restart: { policy: 'no' },
      dependsOn: [],
      replicas: 1,
      constraints: [],
      networks: [{ name: 'default', aliases: ['web'] }],
    },
  ],
  networks: [{ name: 'default', external: false }],
  volumes: [],
});

const version = (image: string): NewStackVersion => ({
  source: `services:\n  web:\n    image: ${image}\n`,
  format: 'yaml',
  spec: spec(image),
  createdBy: 'tester',
});

forEachDatabase('stacks repository', (db) => {
  it('creates a stack at version 1, and refuses a second live one of the same name', async () => {
    const created = await createStack(db(), 'shop', version('busybox:1'));
    assert.ok(created);
    assert.equal(created.stack.currentVersion, 1);
    assert.deepEqual(created.version.spec, spec('busybox:1'), 'the spec round-trips through jsonb');
    assert.equal(await createStack(db(), 'shop', version('busybox:2')), undefined);
  });

  it('finds live stacks by id or name, never deleted ones', async () => {
    const shop = await findLiveStack(db(), 'shop');
    assert.ok(shop);
    assert.equal((await findLiveStack(db(), shop.id))?.name, 'shop');
    assert.equal((await findLiveStack(db(), shop.id.toUpperCase()))?.name, 'shop');
    assert.equal(await findLiveStack(db(), 'nope'), undefined);

    const old = await createStack(db(), 'old', version('busybox:1'));
    await db().update(stacks).set({ deletedAt: new Date() }).where(eq(stacks.id, old!.stack.id));
    assert.equal(await findLiveStack(db(), 'old'), undefined);
    assert.equal(await findLiveStack(db(), old!.stack.id), undefined);
    assert.ok(await createStack(db(), 'old', version('busybox:1')), 'a deleted stack frees its name');
  });

  it('adds consecutive versions, even concurrently, and skips identical documents', async () => {
    const shop = (await findLiveStack(db(), 'shop'))!;
    const same = await addStackVersion(db(), shop.id, version('busybox:1'));
    assert.equal(same?.created, false);
    assert.equal(same?.stack.currentVersion, 1);

    const results = await Promise.all(
      ['busybox:2', 'busybox:3', 'busybox:4'].map((image) => addStackVersion(db(), shop.id, version(image))),
    );
    assert.deepEqual(results.map((result) => result?.version.version).sort(), [2, 3, 4]);
    assert.deepEqual(
      (await listStackVersions(db(), shop.id)).map((v) => v.version),
      [1, 2, 3, 4],
    );
    const [current] = (await listLiveStacks(db())).filter((entry) => entry.stack.name === 'shop');
    assert.equal(current?.stack.currentVersion, 4);
    assert.equal(current?.version.version, 4);
    assert.equal((await getStackVersion(db(), shop.id, 1))?.spec.services[0]?.image, 'busybox:1');
    assert.equal(await getStackVersion(db(), shop.id, 9), undefined);
  });

  it('adds no version to a deleted stack', async () => {
    const gone = await createStack(db(), 'gone', version('busybox:1'));
    await db().update(stacks).set({ deletedAt: new Date() }).where(eq(stacks.id, gone!.stack.id));
    assert.equal(await addStackVersion(db(), gone!.stack.id, version('busybox:2')), undefined);
  });
});
