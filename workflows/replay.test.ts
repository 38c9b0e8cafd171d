import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadRecordedHistories, replayHistories } from '../test/harness/histories.js';
import { bundleWorkflows } from '../test/harness/infra.js';
import * as workflows from './index.js';

// Today's workflow code must replay every recorded history without nondeterminism: a change that
// would break runs in flight fails here (guard it with patched() instead).
describe('workflow replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphium-replay-'));
  let bundle: string;
  const histories = loadRecordedHistories();

  before(async () => {
    // A fresh bundle also proves the workflows import nothing the sandbox forbids.
    bundle = await bundleWorkflows(join(dir, 'bundle.js'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has at least one recorded history for every workflow type', () => {
    const recorded = new Set(histories.map((h) => h.file.split('--')[0]));
    // index.ts exports each type's OperationType beside its workflow: only the functions are workflows.
    const types = Object.entries(workflows).flatMap(([name, value]) =>
      typeof value === 'function' ? [name] : [],
    );
    const missing = types.filter((type) => !recorded.has(type));
    assert.deepEqual(missing, [], 'record them with GRAPHIUM_RECORD_HISTORIES=1 npm test -- test/e2e');
  });

  it('replays every recorded history deterministically', async () => {
    assert.deepEqual(await replayHistories(bundle, histories), []);
  });
});
