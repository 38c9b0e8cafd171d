import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from '../../test/harness/databases.js';
import { isUniqueViolation } from '../errors.js';
import { findTokenByHash, getToken, insertToken, listTokens, revokeToken, touchToken } from './tokens.js';

forEachDatabase('tokens repository', (db) => {
  it('stores a token by hash and finds it again', async () => {
    const row = await insertToken(db(), {
      name: 'ci',
      role: 'deployer',
      tokenHash: 'a'.repeat(64),
      createdBy: 'me',
    });
    assert.equal(row.role, 'deployer');
    assert.ok(row.createdAt instanceof Date);
    assert.equal(row.lastUsedAt, null);
    assert.deepEqual(await findTokenByHash(db(), 'a'.repeat(64)), row);
    assert.equal(await findTokenByHash(db(), 'b'.repeat(64)), undefined);
  });

  it('refuses two tokens with the same hash', async () => {
    await insertToken(db(), { name: 'one', role: 'viewer', tokenHash: 'c'.repeat(64), createdBy: 'me' });
    await assert.rejects(
      insertToken(db(), { name: 'two', role: 'viewer', tokenHash: 'c'.repeat(64), createdBy: 'me' }),
      (error) => isUniqueViolation(error),
    );
  });

  it('revokes once, keeping the first revocation time', async () => {
    const row = await insertToken(db(), {
      name: 'r',
      role: 'admin',
      tokenHash: 'd'.repeat(64),
      createdBy: 'me',
    });
    const first = await revokeToken(db(), row.id, new Date('2030-01-01T00:00:00Z'));
    assert.equal(first?.revokedAt?.toISOString(), '2030-01-01T00:00:00.000Z');
    const second = await revokeToken(db(), row.id, new Date('2031-01-01T00:00:00Z'));
    assert.equal(second?.revokedAt?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(await revokeToken(db(), '00000000-0000-4000-8000-000000000000'), undefined);
  });

  it('records the last use and lists every token', async () => {
    const row = await insertToken(db(), {
      name: 't',
      role: 'viewer',
      tokenHash: 'e'.repeat(64),
      createdBy: 'me',
    });
    const at = new Date('2030-06-01T12:00:00Z');
    await touchToken(db(), row.id, at);
    assert.equal((await getToken(db(), row.id))?.lastUsedAt?.toISOString(), at.toISOString());
    const names = (await listTokens(db())).map((token) => token.name);
    assert.ok(
      ['ci', 'one', 'r', 't'].every((name) => names.includes(name)),
      names.join(),
    );
  });
});
