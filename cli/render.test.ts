import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerProgress, Deployment } from './api-client.js';
import { createProgressView, describeChanges, renderBlock, summaryLines } from './render.js';

const container = (overrides: Partial<ContainerProgress> = {}): ContainerProgress => ({
  service: 'web',
  replica: 1,
  hostId: 'vm1',
  name: 'shop_web_1',
  containerId: null,
  status: 'pending',
  attempts: 0,
  error: null,
  ...overrides,
});

const deployment = (overrides: Partial<Deployment> = {}): Deployment => ({
  id: 'd-1',
  stackId: 's-1',
  stack: 'shop',
  operation: 'deploy',
  version: 1,
  status: 'pending',
  progress: 0,
  error: null,
  phase: 'running',
  awaiting: null,
  containers: [container(), container({ hostId: 'vm2', name: 'shop_web_2', replica: 2 })],
  requestedBy: 'ci',
  workflowId: 'deploy-shop-1',
  runId: 'r-1',
  createdAt: '2025-01-31T12:00:00.000Z',
  startedAt: '2025-01-31T12:00:00.000Z',
  finishedAt: null,
  ...overrides,
});

/** A deploy of two containers as the API streams it: each snapshot is one `progress` event. */
const snapshots: Deployment[] = [
  deployment(),
  deployment({
    status: 'running',
    containers: [
      container({ status: 'pulling', attempts: 1 }),
      container({ hostId: 'vm2', name: 'shop_web_2', status: 'pulling', attempts: 1 }),
    ],
  }),
  deployment({
    status: 'running',
    progress: 50,
    containers: [
      container({ status: 'running', attempts: 1, containerId: 'c1' }),
      container({ hostId: 'vm2', name: 'shop_web_2', status: 'pulling', attempts: 1 }),
    ],
  }),
  deployment({
    status: 'succeeded',
    progress: 100,
    finishedAt: '2025-01-31T12:00:07.400Z',
    containers: [
      container({ status: 'running', attempts: 1, containerId: 'c1' }),
      container({ hostId: 'vm2', name: 'shop_web_2', status: 'running', attempts: 1, containerId: 'c2' }),
    ],
  }),
];

const pullError = 'pull access denied for graphium-test/nope';
const failed = deployment({
  status: 'rolled_back',
  progress: 50,
  error: `shop_web_2 on host vm2: ${pullError}`,
  finishedAt: '2025-01-31T12:01:05.000Z',
  containers: [
    container({ status: 'compensated', attempts: 1, containerId: 'c1' }),
    container({ hostId: 'vm2', name: 'shop_web_2', status: 'failed', attempts: 3, error: pullError }),
  ],
});

function plainOutput(sequence: Deployment[], notice?: string): { out: string[]; err: string } {
  let text = '';
  let err = '';
  const view = createProgressView({ write: (chunk: string) => (text += chunk) }, 'deploy shop', {
    color: false,
    err: { write: (chunk: string) => (err += chunk) },
  });
  for (const snapshot of sequence.slice(0, -1)) view.update(snapshot);
  if (notice) view.notice(notice);
  view.finish(sequence.at(-1)!);
  return { out: text.trimEnd().split('\n'), err };
}

describe('plain progress lines (stdout is not a terminal)', () => {
  it('prints the first snapshot whole, then one line per change, then the outcome', () => {
    assert.deepEqual(plainOutput(snapshots).out, [
      '[  0%] deploy shop: pending',
      '[  0%] vm1 shop_web_1: pending',
      '[  0%] vm2 shop_web_2: pending',
      '[  0%] deploy shop: running',
      '[  0%] vm1 shop_web_1: pulling',
      '[  0%] vm2 shop_web_2: pulling',
      '[ 50%] vm1 shop_web_1: running',
      '[100%] vm2 shop_web_2: running',
      '[100%] deploy shop: succeeded',
      'deploy shop succeeded in 7s (2 containers)',
    ]);
  });

  it('writes notices for the person watching to stderr, keeping stdout to the progress lines', () => {
    const { out, err } = plainOutput(snapshots, 'graphium: event stream interrupted; reconnecting');
    assert.equal(err, 'graphium: event stream interrupted; reconnecting\n');
    assert.ok(!out.some((line) => line.includes('reconnecting')));
    assert.equal(out.at(-1), 'deploy shop succeeded in 7s (2 containers)');
  });

  it('prints nothing for a snapshot sent again after a reconnect', () => {
    assert.deepEqual(describeChanges(snapshots[2], structuredClone(snapshots[2]!), 'deploy shop'), []);
  });

  it('shows retries and errors, and ends a failure with the error and the failed containers', () => {
    const retrying = deployment({
      status: 'running',
      containers: [
        container({ status: 'pulling', attempts: 1 }),
        container({ hostId: 'vm2', name: 'shop_web_2', status: 'pulling', attempts: 2, error: pullError }),
      ],
    });
    assert.deepEqual(plainOutput([snapshots[1]!, retrying, failed]).out, [
      '[  0%] deploy shop: running',
      '[  0%] vm1 shop_web_1: pulling',
      '[  0%] vm2 shop_web_2: pulling',
      `[  0%] vm2 shop_web_2: pulling (attempt 2): ${pullError}`,
      '[ 50%] vm1 shop_web_1: compensated',
      `[ 50%] vm2 shop_web_2: failed (attempt 3): ${pullError}`,
      '[ 50%] deploy shop: rolled_back',
      `deploy shop rolled_back after 1m 05s: shop_web_2 on host vm2: ${pullError}`,
      'failed containers:',
      `  vm2 shop_web_2: failed (attempt 3): ${pullError}`,
    ]);
  });

  it('summarises an operation without containers', () => {
    const empty = deployment({ status: 'succeeded', progress: 100, containers: [], finishedAt: null });
    assert.deepEqual(summaryLines(empty, 'delete shop'), ['delete shop succeeded (0 containers)']);
  });
});

describe('the block a terminal redraws', () => {
  it('has a heading, a progress bar with counts, and one row per container', () => {
    const block = renderBlock(snapshots[2]!, 'deploy shop', {
      width: 100,
      now: Date.parse('2025-01-31T12:00:03.000Z'),
      color: false,
    });
    assert.deepEqual(block.split('\n'), [
      'deploy shop  running  3s  deployment d-1',
      '[############------------]  50%  1 running, 1 pulling  running',
      'HOST  CONTAINER   STATUS   ATTEMPTS  ERROR',
      'vm1   shop_web_1  running  1',
      'vm2   shop_web_2  pulling  1',
    ]);
  });

  it('cuts long lines to the terminal width so a redraw never wraps', () => {
    const block = renderBlock(failed, 'deploy shop', { width: 40, now: 0, color: false });
    for (const line of block.split('\n')) assert.ok(line.length <= 39, `${line} fits in 39 columns`);
    assert.match(block, /vm2 {3}shop_web_2 {2}failed/);
  });
});
