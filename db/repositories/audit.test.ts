import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from '../../test/harness/databases.js';
import { insertAuditEntry, listAuditEntries } from './audit.js';

forEachDatabase('audit repository', (db) => {
  it('lists entries newest first, filtered by actor and bounded', async () => {
    for (const [actor, status] of [
      ['alice', 201],
      ['bob', 403],
      ['alice', 204],
    ] as const) {
      await insertAuditEntry(db(), {
        actor,
        action: 'POST /api/v1/hosts',
        target: 'vm1',
        status,
        details: { n: status },
      });
    }
    const all = await listAuditEntries(db(), { limit: 10 });
    assert.deepEqual(
      all.map((entry) => [entry.actor, entry.status]),
      [
        ['alice', 204],
        ['bob', 403],
        ['alice', 201],
      ],
    );
    assert.ok(all[0]!.at instanceof Date);
    assert.deepEqual(all[0]!.details, { n: 204 });
    const alice = await listAuditEntries(db(), { limit: 1, actor: 'alice' });
    assert.deepEqual(
      alice.map((entry) => entry.status),
      [204],
    );
  });
});
