import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MountSpec, ServiceSpec, StackSpec } from '../stack/types.js';
import { nestedDataBindIssues } from './nested-binds.js';

const data = (source: string, readOnly = false): MountSpec => ({
  type: 'stack-data',
  source,
  target: `/${source}`,
  readOnly,
});
const spec = (...services: [string, MountSpec[]][]): StackSpec =>
  ({
    services: services.map(([name, mounts]) => ({ name, mounts }) as unknown as ServiceSpec),
    networks: [],
    volumes: [],
  }) as StackSpec;

describe('stack-data binds nested in a writable one', () => {
  it('are admin-only, in the same service or another', () => {
    const issues = nestedDataBindIssues(spec(['writer', [data('d')]], ['reader', [data('d/root', true)]]));
    assert.deepEqual(
      issues.map((i) => i.path),
      ['services.reader.volumes'],
    );
    assert.match(issues[0]!.message, /"\.\/d\/root" lies inside "\.\/d", which service writer can write/);
    assert.equal(nestedDataBindIssues(spec(['one', [data('d'), data('d/sub')]])).length, 1);
  });

  it('leave siblings, equal sources, read-only parents and prefixes that are not directories alone', () => {
    assert.deepEqual(
      nestedDataBindIssues(spec(['a', [data('data'), data('logs')]], ['b', [data('data')]])),
      [],
    );
    assert.deepEqual(nestedDataBindIssues(spec(['a', [data('d', true)]], ['b', [data('d/sub')]])), []);
    assert.deepEqual(nestedDataBindIssues(spec(['a', [data('data')]], ['b', [data('data2')]])), []);
  });
});
