import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ComposeError, parseStackDefinition } from './index.js';

// The Compose normalizer, for any input fast-check can think of: it answers with a spec or with a
// ComposeError naming what is wrong, never with a crash; and the forms Compose treats as the same
// (list or map, short or long syntax, any key order) normalize to the same spec.

/** The spec without its bundle: the bundle holds the Compose file itself, whose text differs by form. */
const parse = (document: unknown) => {
  const { bundle: _file, ...spec } = parseStackDefinition(JSON.stringify(document), 'json');
  return spec;
};

const envKey = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,11}$/);
// No `$` (interpolation) and no newline: the value is then taken as written by every form.
const envValue = fc.stringMatching(/^[a-zA-Z0-9 ._:/@%+=,-]{0,20}$/);
const labelKey = fc.stringMatching(/^[a-z][a-z0-9]{0,7}(\.[a-z][a-z0-9]{0,7}){0,2}$/);

/** The same mapping with its keys in another order. */
function shuffled<T extends Record<string, unknown>>(value: T, seed: number): T {
  const rank = (i: number) => (i * 7919 + seed) % 104_729;
  const entries = Object.entries(value).map((entry, i) => ({ entry, rank: rank(i) }));
  return Object.fromEntries(entries.sort((a, b) => a.rank - b.rank).map(({ entry }) => entry)) as T;
}

describe('the Compose normalizer, for any input (fast-check)', () => {
  it('answers any document with a spec or a ComposeError, never a crash', () => {
    const service = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom(
          'image',
          'command',
          'environment',
          'ports',
          'depends_on',
          'deploy',
          'healthcheck',
          'labels',
          'volumes',
          'restart',
          'networks',
          'x-y',
        ),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record({
            services: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), service, { maxKeys: 3 }),
          }),
        ),
        (document) => {
          try {
            parse(document);
          } catch (error) {
            assert.ok(error instanceof ComposeError, `${(error as Error).name}: ${(error as Error).message}`);
            assert.ok((error as ComposeError).issues.length > 0);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('normalizes environment and labels alike as a list or a map', () => {
    fc.assert(
      fc.property(
        fc.dictionary(envKey, envValue, { minKeys: 1, maxKeys: 6 }),
        fc.dictionary(labelKey, envValue, { maxKeys: 4 }),
        (environment, labels) => {
          const asMap = parse({ services: { web: { image: 'busybox', environment, labels } } });
          const asList = parse({
            services: {
              web: {
                image: 'busybox',
                environment: Object.entries(environment).map(([k, v]) => `${k}=${v}`),
                labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`),
              },
            },
          });
          assert.deepEqual(asList, asMap);
          assert.deepEqual(asMap.services[0]!.environment, { ...environment });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('normalizes a port alike in short and long syntax', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('tcp', 'udp'),
        (published, target, protocol) => {
          const short = parse({
            services: { web: { image: 'busybox', ports: [`${published}:${target}/${protocol}`] } },
          });
          const long = parse({
            services: {
              web: { image: 'busybox', ports: [{ target, published: String(published), protocol }] },
            },
          });
          assert.deepEqual(short.services[0]!.ports, long.services[0]!.ports);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('normalizes depends_on alike as a list or a map, and ignores key order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(envKey, envValue, { maxKeys: 4 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer(),
        (environment, replicas, seed) => {
          const web = {
            image: 'busybox',
            command: ['sleep', '60'],
            environment,
            restart: 'unless-stopped',
            deploy: { replicas },
          };
          const listed = parse({
            services: { db: { image: 'busybox' }, web: { ...web, depends_on: ['db'] } },
          });
          const mapped = parse({
            services: {
              db: { image: 'busybox' },
              web: shuffled({ ...web, depends_on: { db: { condition: 'service_started' } } }, seed),
            },
          });
          assert.deepEqual(mapped, listed);
        },
      ),
      { numRuns: 300 },
    );
  });
});
