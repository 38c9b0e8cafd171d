import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'drizzle-orm';
import { sha256Hex } from '../../lib/digest.js';
import { generateKeyringText, Keyring, parseKeyring } from '../../lib/encryption.js';
import { forEachDatabase } from '../../test/harness/databases.js';
import { blobs } from '../schema.js';
import { putBlobs, readBlobs } from './blobs.js';

const keyring = parseKeyring(generateKeyringText()) as Keyring;
const text = (value: string) => new TextEncoder().encode(value);

forEachDatabase('blobs repository', (db) => {
  it('stores each content once, by the SHA-256 of its plain bytes, and reads it back', async () => {
    const conf = text('server { listen 80; }\n');
    const digests = await putBlobs(db(), keyring, [
      { content: conf, secret: false },
      { content: conf, secret: false },
    ]);
    assert.deepEqual(digests, [sha256Hex(conf), sha256Hex(conf)]);
    const rows = await db().select().from(blobs);
    assert.equal(rows.filter((r) => r.digest === digests[0]).length, 1);
    assert.deepEqual((await readBlobs(db(), keyring, digests)).get(digests[0]!), Buffer.from(conf));
  });

  it('seals secret files at rest: the stored bytes do not contain the secret', async () => {
    const secret = text('s3cr3t-db-password');
    const [digest] = await putBlobs(db(), keyring, [{ content: secret, secret: true }]);
    const [row] = await db().select().from(blobs).where(eqDigest(digest!));
    assert.equal(row!.keyId, keyring.activeKeyId);
    assert.ok(!row!.content.includes(Buffer.from('s3cr3t')), 'the stored content is not the plain secret');
    assert.equal((await readBlobs(db(), keyring, [digest!])).get(digest!)!.toString(), 's3cr3t-db-password');
  });

  it('seals content that was stored in the clear once it is used as a secret', async () => {
    const value = text('was-public-now-secret');
    const [digest] = await putBlobs(db(), keyring, [{ content: value, secret: false }]);
    await putBlobs(db(), keyring, [{ content: value, secret: true }]);
    const [row] = await db().select().from(blobs).where(eqDigest(digest!));
    assert.equal(row!.keyId, keyring.activeKeyId);
    assert.equal(
      (await readBlobs(db(), keyring, [digest!])).get(digest!)!.toString(),
      'was-public-now-secret',
    );
  });

  it('reads values sealed with an older key after a rotation, and refuses a missing digest', async () => {
    const [digest] = await putBlobs(db(), keyring, [{ content: text('old-key-secret'), secret: true }]);
    const rotated = new Keyring([{ id: 'k2', key: Buffer.alloc(32, 7) }, ...keyring.keys]);
    assert.equal((await readBlobs(db(), rotated, [digest!])).get(digest!)!.toString(), 'old-key-secret');
    await assert.rejects(readBlobs(db(), keyring, ['0'.repeat(64)]), /bundle files missing/);
  });
});

function eqDigest(digest: string) {
  return sql`${blobs.digest} = ${digest}`;
}
