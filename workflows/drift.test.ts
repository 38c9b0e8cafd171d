import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InventoriedContainer } from '../activities/docker/types.js';
import { type DriftFacts, driftOf, type ExpectedContainer, leftoversOf } from './drift.js';

const expected = (
  hostId: string,
  name: string,
  extra: Partial<ExpectedContainer> = {},
): ExpectedContainer => ({
  service: name.split('_')[1]!,
  replica: Number(name.split('_')[2]),
  hostId,
  name,
  completes: false,
  ...extra,
});
const found = (
  hostId: string,
  name: string,
  extra: Partial<InventoriedContainer> = {},
): InventoriedContainer => ({
  containerId: `id-${name}`,
  name,
  service: name.split('_')[1]!,
  replica: Number(name.split('_')[2]?.split('.')[0]),
  deploymentId: 'd1',
  image: 'sha256:x',
  state: 'running',
  hostLabel: hostId,
  ...extra,
});
const facts = (overrides: Partial<DriftFacts>): DriftFacts => ({
  expected: [],
  expectRunning: true,
  registered: new Set(['vm1', 'vm2']),
  inventories: new Map(),
  onUnregisteredHosts: [],
  ...overrides,
});

describe('driftOf', () => {
  it('finds nothing when every host holds what the deployed version places', () => {
    const items = driftOf(
      facts({
        expected: [expected('vm1', 's_web_1'), expected('vm2', 's_web_2')],
        inventories: new Map([
          ['vm1', { containers: [found('vm1', 's_web_1')] }],
          ['vm2', { containers: [found('vm2', 's_web_2')] }],
        ]),
      }),
    );
    assert.deepEqual(items, []);
  });

  it('names each kind: missing, changed, stopped, unexpected, retired, unknown host', () => {
    const items = driftOf(
      facts({
        expected: [
          expected('vm1', 's_web_1'),
          expected('vm1', 's_web_2'),
          expected('vm1', 's_web_3'),
          expected('vm2', 's_web_4'),
          expected('vm9', 's_web_5'),
        ],
        inventories: new Map<string, { containers: InventoriedContainer[] } | { unreachable: string }>([
          [
            'vm1',
            {
              containers: [
                found('vm1', 's_web_2', { difference: 'environment differs: A' }),
                found('vm1', 's_web_3', { state: 'exited', exitCode: 137 }),
                found('vm1', 's_web_4'),
                found('vm1', 's_web_1.retired-abcdef12', { state: 'exited' }),
                found('vm1', 's_web_9', { hostLabel: 'vm7' }),
              ],
            },
          ],
          ['vm2', { unreachable: 'host vm2 is offline' }],
        ]),
      }),
    );
    assert.deepEqual(
      items.map((i) => `${i.hostId} ${i.container} ${i.kind}`),
      [
        'vm1 s_web_1 missing',
        'vm1 s_web_1.retired-abcdef12 retired',
        'vm1 s_web_2 changed',
        'vm1 s_web_3 stopped',
        'vm1 s_web_4 unexpected',
        'vm1 s_web_9 unknown-host',
        'vm2 s_web_4 unknown-host',
        'vm9 s_web_5 unknown-host',
      ],
    );
    assert.equal(
      items.find((i) => i.container === 's_web_4' && i.hostId === 'vm1')?.detail,
      'replica 4 of web belongs on vm2',
    );
    assert.equal(items.find((i) => i.kind === 'stopped')?.detail, 'exited (137)');
  });

  it('takes stopped containers as right after a stop, and a one-shot that exited 0 as done', () => {
    const inventories = new Map([
      ['vm1', { containers: [found('vm1', 's_job_1', { state: 'exited', exitCode: 0 })] }],
    ]);
    assert.deepEqual(
      driftOf(facts({ expected: [expected('vm1', 's_job_1', { completes: true })], inventories })),
      [],
    );
    assert.deepEqual(
      driftOf(facts({ expected: [expected('vm1', 's_job_1')], expectRunning: false, inventories })),
      [],
    );
    assert.equal(driftOf(facts({ expected: [expected('vm1', 's_job_1')], inventories }))[0]?.kind, 'stopped');
  });

  it('ignores what another registered host’s agent owns on a shared daemon', () => {
    const inventories = new Map([
      ['vm1', { containers: [found('vm1', 's_web_1'), found('vm2', 's_web_2')] }],
    ]);
    assert.deepEqual(driftOf(facts({ expected: [expected('vm1', 's_web_1')], inventories })), []);
  });
});

describe('leftoversOf', () => {
  it('finds the unfinished deploys whose containers or retired containers are still on a host', () => {
    const failed = 'f00dbabe-0000-4000-8000-000000000000';
    const inventories = new Map([
      ['vm1', { containers: [found('vm1', 's_web_1', { deploymentId: failed }), found('vm1', 's_db_1')] }],
      ['vm2', { containers: [found('vm2', 's_web_2.retired-f00dbabe', { deploymentId: 'old' })] }],
      ['vm3', { containers: [found('vm3', 's_web_3')] }],
    ]);
    assert.deepEqual(
      [...leftoversOf(inventories, [failed, 'another-one'])],
      [
        ['vm1', [failed]],
        ['vm2', [failed]],
      ],
    );
  });
});
