import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { formatDuration, parseDuration } from './duration.js';

// Compose durations are parsed here; Temporal parses the ones we hand it with its own parser. The
// canonical form must mean the same to both, whatever form the user wrote.
describe('durations', () => {
  const cases: [string, number, string][] = [
    ['1m30s', 90_000, '90s'],
    ['90s', 90_000, '90s'],
    ['2m', 120_000, '2m'],
    ['1h', 3_600_000, '1h'],
    ['1h30m', 5_400_000, '90m'],
    ['1.5s', 1500, '1500ms'],
    ['500ms', 500, '500ms'],
    ['2m0s', 120_000, '2m'],
  ];
  for (const [written, ms, canonical] of cases) {
    it(`${written} is ${ms} ms, handed on as ${canonical}, which Temporal reads as ${ms} ms`, () => {
      assert.equal(parseDuration(written), ms);
      assert.equal(formatDuration(ms), canonical);
      assert.equal(msToNumber(canonical), ms);
      assert.equal(parseDuration(canonical), ms);
    });
  }

  it('refuses what is not a duration', () => {
    for (const text of ['', '10', '1 m', 'm', '1d', '-5s'])
      assert.equal(parseDuration(text), undefined, text);
  });
});
