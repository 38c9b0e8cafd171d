import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ComposeError, parseStackDefinition } from '../compose/index.js';
import { dependencyWaves } from './waves.js';

// Dependency waves, for any acyclic depends_on graph fast-check can think of: every service exactly
// once, every dependency in an earlier wave, each service as early as its dependencies allow, and
// the document's order within a wave. A cycle never gets that far: the loader refuses it.

/** n services; each may depend on any of the ones before it (so the graph is acyclic), then shuffled. */
const graphArb = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    deps: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.subarray(Array.from({ length: i }, (_, j) => j)).map((list) => list.map((j) => `s${j}`)),
      ),
    ),
    order: fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i),
      { minLength: n, maxLength: n },
    ),
  }),
);

function documentOf(deps: string[][], order: number[]): string {
  const services = Object.fromEntries(
    order.map((i) => [
      `s${i}`,
      { image: 'busybox', ...(deps[i]!.length > 0 ? { depends_on: deps[i] } : {}) },
    ]),
  );
  return JSON.stringify({ services });
}

describe('dependencyWaves, for any depends_on graph (fast-check)', () => {
  it('respects every depends_on, starts each service as early as it may, keeps the document order', () => {
    fc.assert(
      fc.property(graphArb, ({ deps, order }) => {
        const spec = parseStackDefinition(documentOf(deps, order), 'json');
        const waves = dependencyWaves(spec);
        const waveOf = new Map(waves.flatMap((wave, k) => wave.map((name) => [name, k] as const)));
        assert.deepEqual([...waveOf.keys()].sort(), order.map((i) => `s${i}`).sort(), 'each service once');
        assert.ok(
          waves.every((wave) => wave.length > 0),
          'no empty wave',
        );
        for (const [i, list] of deps.entries()) {
          const mine = waveOf.get(`s${i}`)!;
          for (const dep of list) assert.ok(waveOf.get(dep)! < mine, `s${i} runs after ${dep}`);
          const earliest = list.length === 0 ? 0 : Math.max(...list.map((dep) => waveOf.get(dep)!)) + 1;
          assert.equal(mine, earliest, `s${i} is in the earliest wave its dependencies allow`);
        }
        const docOrder = spec.services.map((s) => s.name);
        for (const wave of waves) {
          assert.deepEqual(
            wave,
            [...wave].sort((a, b) => docOrder.indexOf(a) - docOrder.indexOf(b)),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never sees a cycle: the loader refuses any depends_on cycle', () => {
    fc.assert(
      fc.property(graphArb, fc.nat(), ({ deps, order }, pick) => {
        // Close a cycle: the first service that has a dependency now depends on itself through it.
        const withDeps = deps.map((list, i) => [i, list] as const).filter(([, list]) => list.length > 0);
        fc.pre(withDeps.length > 0);
        const [i, list] = withDeps[pick % withDeps.length]!;
        const target = Number(list[0]!.slice(1));
        const cyclic = deps.map((d, k) => (k === target ? [...d, `s${i}`] : d));
        assert.throws(() => parseStackDefinition(documentOf(cyclic, order), 'json'), ComposeError);
      }),
      { numRuns: 200 },
    );
  });
});
