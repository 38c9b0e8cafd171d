import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combinePolicies, decidePull } from './pull-policy.js';
import type { PullPolicy } from './types.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-03-01T12:00:00Z');

describe('pull_policy', () => {
  it('decides per policy whether a host pulls, keeps its image, or refuses', () => {
    const decide = (policy: PullPolicy | undefined, present: boolean, ageMs?: number, refresh = false) =>
      decidePull({
        image: 'app:1',
        policy,
        refresh,
        present,
        lastPulledAt: ageMs === undefined ? undefined : now - ageMs,
        now,
      });
    assert.equal(decide(undefined, false), 'pull');
    assert.equal(decide(undefined, true), 'keep');
    assert.equal(decide('missing', true), 'keep');
    assert.equal(decide('always', true, 0), 'pull');
    assert.equal(decide('never', false), 'refuse');
    assert.equal(decide('never', true), 'keep');
    assert.equal(decide('daily', true, 23 * HOUR), 'keep');
    assert.equal(decide('daily', true, 24 * HOUR), 'pull');
    assert.equal(decide('weekly', true, 6 * 24 * HOUR), 'keep');
    assert.equal(decide('weekly', true, 7 * 24 * HOUR), 'pull');
    assert.equal(decide({ everyMs: 5 * 60_000 }, true, 4 * 60_000), 'keep');
    assert.equal(decide({ everyMs: 5 * 60_000 }, true, 5 * 60_000), 'pull');
    assert.equal(decide('daily', true, undefined), 'pull', 'never pulled here: refresh now');
    assert.equal(decide('missing', true, 0, true), 'pull', 'deploy --pull re-pulls');
    assert.equal(decide('never', true, 0, true), 'pull', '--pull asks for it explicitly');
  });

  it('never pulls a digest-pinned image the host holds', () => {
    const image = `app@sha256:${'0'.repeat(64)}`;
    assert.equal(decidePull({ image, policy: 'always', refresh: true, present: true, now }), 'keep');
    assert.equal(decidePull({ image, policy: 'always', present: false, now }), 'pull');
  });

  it('combines the policies of services sharing an image: the most eager wins', () => {
    assert.equal(combinePolicies([undefined, 'always', 'never']), 'always');
    assert.deepEqual(combinePolicies(['daily', { everyMs: HOUR }, 'weekly']), { everyMs: HOUR });
    assert.equal(combinePolicies(['weekly', 'daily']), 'daily');
    assert.equal(combinePolicies(['never', undefined]), undefined);
    assert.equal(combinePolicies(['never', 'never']), 'never');
    assert.equal(combinePolicies(['build']), undefined, "a build's policy pulls only what is missing");
  });
});
