import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStackDefinition } from '../compose/index.js';
import type { StackSpec } from './types.js';
import { dependencyWaves } from './waves.js';

const waves = (yaml: string) => dependencyWaves(parseStackDefinition(yaml, 'yaml'));

describe('dependencyWaves', () => {
  it('puts independent services in one wave, in document order', () => {
    assert.deepEqual(waves('services:\n  b: {image: x}\n  a: {image: x}\n  c: {image: x}\n'), [
      ['b', 'a', 'c'],
    ]);
  });

  it('starts a service one wave after its deepest dependency', () => {
    const yaml = `
services:
  web: {image: x, depends_on: [api, cache]}
  api: {image: x, depends_on: {db: {condition: service_healthy}}}
  cache: {image: x}
  db: {image: x}
  worker: {image: x, depends_on: [db]}
  docs: {image: x}
`;
    assert.deepEqual(waves(yaml), [['cache', 'db', 'docs'], ['api', 'worker'], ['web']]);
  });

  it('refuses a spec with a cycle or a dangling dependency', () => {
    const service = (name: string, deps: string[]) => ({
      ...parseStackDefinition('services: {s: {image: x}}', 'yaml').services[0]!,
      name,
      dependsOn: deps.map((d) => ({ service: d, condition: 'service_started' as const })),
    });
    const cyclic: StackSpec = {
      services: [service('a', ['b']), service('b', ['a'])],
      networks: [],
      volumes: [],
    };
    assert.throws(() => dependencyWaves(cyclic), /dependency cycle/);
    const dangling: StackSpec = { services: [service('a', ['z'])], networks: [], volumes: [] };
    assert.throws(() => dependencyWaves(dangling), /unknown service "z"/);
  });
});
