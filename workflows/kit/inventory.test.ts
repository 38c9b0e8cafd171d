import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InventoryContainer, StackInventory } from '../../activities/docker/types.js';
import { planReplicas } from './inventory.js';

const placed = (replica: number, hostId = 'vm1') => ({
  service: 'web',
  replica,
  hostId,
  name: `s_web_${replica}`,
});
const held = (replica: number, configHash: string, state = 'running'): InventoryContainer => ({
  name: `s_web_${replica}`,
  containerId: `id${replica}`,
  service: 'web',
  replica,
  deploymentId: 'earlier',
  configHash,
  state,
});

describe('planReplicas', () => {
  it('tells unchanged, stopped, missing and changed replicas apart, by name and config hash', () => {
    const inventory: StackInventory = {
      hashes: { web: 'new' },
      containers: [held(1, 'new'), held(2, 'new', 'exited'), held(4, 'old')],
    };
    const plans = planReplicas([placed(1), placed(2), placed(3), placed(4)], new Map([['vm1', inventory]]));
    assert.deepEqual(
      plans.map((p) => [p.name, p.plan, p.current?.containerId]),
      [
        ['s_web_1', 'unchanged', 'id1'],
        ['s_web_2', 'start', 'id2'],
        ['s_web_3', 'create', undefined],
        ['s_web_4', 'replace', 'id4'],
      ],
    );
  });

  it('replaces when the host could not say what the service would be (no hash)', () => {
    const plans = planReplicas([placed(1)], new Map([['vm1', { hashes: {}, containers: [held(1, 'x')] }]]));
    assert.equal(plans[0]!.plan, 'replace');
  });

  it('replaces the replicas it is told to recreate, even when their labels say they are current', () => {
    const inventory: StackInventory = {
      hashes: { web: 'new' },
      containers: [held(1, 'new'), held(2, 'new', 'exited')],
    };
    const plans = planReplicas(
      [placed(1), placed(2), placed(3)],
      new Map([['vm1', inventory]]),
      new Set(['s_web_1', 's_web_2', 's_web_3']),
    );
    assert.deepEqual(
      plans.map((p) => [p.name, p.plan]),
      [
        ['s_web_1', 'replace'],
        ['s_web_2', 'replace'],
        ['s_web_3', 'create'],
      ],
    );
  });
});
