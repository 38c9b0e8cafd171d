import { inArray, sql } from 'drizzle-orm';
import { sha256Hex } from '../../lib/digest.js';
import type { Keyring } from '../../lib/encryption.js';
import type { Database } from '../client.js';
import { blobs } from '../schema.js';

// Bundle files, stored once per content (content-addressed by SHA-256 of the plain content). Secret
// files are sealed with the active key; reading opens them with whichever key sealed them.

export interface BlobInput {
  content: Uint8Array;
  secret: boolean;
}

/** The sealed content is bound to its digest, so a sealed box cannot be swapped for another file's. */
const sealContext = (digest: string) => `blob:${digest}`;

/**
 * Stores files not stored yet and returns their digests in input order. A file stored in the clear
 * before and now marked secret is sealed from now on (the secret flag of its newest use wins).
 */
export async function putBlobs(db: Database, keyring: Keyring, files: BlobInput[]): Promise<string[]> {
  const digests = files.map((file) => sha256Hex(file.content));
  const rows = new Map<string, typeof blobs.$inferInsert>();
  files.forEach((file, index) => {
    const digest = digests[index]!;
    rows.set(digest, {
      digest,
      size: file.content.length,
      content: file.secret ? keyring.seal(file.content, sealContext(digest)) : Buffer.from(file.content),
      keyId: file.secret ? keyring.activeKeyId : null,
    });
  });
  const values = [...rows.values()];
  for (let start = 0; start < values.length; start += 100) {
    const batch = values.slice(start, start + 100);
    await db
      .insert(blobs)
      .values(batch)
      // The same content stored in the clear before, now a secret: the stored copy is sealed too.
      .onConflictDoUpdate({
        target: blobs.digest,
        set: { content: sql`excluded.content`, keyId: sql`excluded.key_id` },
        setWhere: sql`${blobs.keyId} is null and excluded.key_id is not null`,
      });
  }
  return digests;
}

/** Plain contents by digest; a missing digest is an error (a manifest refers to it). */
export async function readBlobs(
  db: Database,
  keyring: Keyring,
  digests: readonly string[],
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (let start = 0; start < digests.length; start += 100) {
    const rows = await db
      .select()
      .from(blobs)
      .where(inArray(blobs.digest, digests.slice(start, start + 100) as string[]));
    for (const row of rows) {
      found.set(row.digest, row.keyId ? keyring.open(row.content, sealContext(row.digest)) : row.content);
    }
  }
  const missing = digests.filter((digest) => !found.has(digest));
  if (missing.length > 0) throw new Error(`bundle files missing from the database: ${missing.join(', ')}`);
  return found;
}
