import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { abortAfter } from './abort-after.js';

// The garbage collector, callable here (node:test gives no way to pass --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('abortAfter', () => {
  it('fires after its delay even when nothing but a listener holds the signal and the GC runs', async () => {
    let reason: unknown;
    // Only the listener's closure survives this block: the deadline must hold itself.
    {
      const { signal } = abortAfter(150, new AbortController().signal);
      signal.addEventListener('abort', () => {
        reason = signal.reason;
      });
    }
    for (let i = 0; i < 5; i++) {
      gc();
      await sleep(20);
    }
    await sleep(300);
    assert.ok(reason instanceof DOMException, 'the deadline fired');
    assert.equal((reason as DOMException).name, 'TimeoutError');
  });

  it('fires at once with the reason of a source that fires first, and when a source was already aborted', () => {
    const source = new AbortController();
    const { signal } = abortAfter(60_000, undefined, source.signal);
    assert.equal(signal.aborted, false);
    source.abort(new Error('cancelled'));
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as Error).message, 'cancelled');

    const done = new AbortController();
    done.abort('gone');
    assert.equal(abortAfter(60_000, done.signal).signal.reason, 'gone');
  });

  it('never fires once cleared', async () => {
    const { signal, clear } = abortAfter(50);
    clear();
    await sleep(120);
    assert.equal(signal.aborted, false);
  });
});
