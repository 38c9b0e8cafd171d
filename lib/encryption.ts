import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Encryption at rest (secret files of stack bundles, stack variables, registry passwords) with
// AES-256-GCM. Keys come from configuration as a keyring: the first key encrypts, every key decrypts,
// so a key is rotated by putting a new one first and keeping the old one until nothing uses it.
// Each sealed value names its key, so old values stay readable after a rotation.

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Leads every sealed value: a format we can change later without guessing. */
const FORMAT = 1;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class Keyring {
  private readonly byId: Map<string, Buffer>;

  constructor(
    readonly keys: readonly EncryptionKey[],
    /** The setting the keys come from, named when a value was sealed with a key it lacks. */
    private readonly setting = 'GRAPHIUM_ENCRYPTION_KEYS',
  ) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key new values are sealed with. */
  get activeKeyId(): string {
    return this.keys[0]!.id;
  }

  /** `[format][id length][id][iv][tag][ciphertext]`; `context` binds the value to where it belongs. */
  seal(plain: Uint8Array, context = ''): Buffer {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const idBytes = Buffer.from(id);
    return Buffer.concat([Buffer.from([FORMAT, idBytes.length]), idBytes, iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Uint8Array, context = ''): Buffer {
    const box = Buffer.from(sealed);
    if (box[0] !== FORMAT) throw new Error('not a value sealed by Graphium');
    const idLength = box[1]!;
    const id = box.subarray(2, 2 + idLength).toString();
    const key = this.byId.get(id);
    if (!key) throw new Error(`sealed with key "${id}", which is not in ${this.setting}`);
    const ivStart = 2 + idLength;
    const tagStart = ivStart + IV_BYTES;
    const decipher = createDecipheriv(ALGORITHM, key, box.subarray(ivStart, tagStart));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(box.subarray(tagStart, tagStart + TAG_BYTES));
    return Buffer.concat([decipher.update(box.subarray(tagStart + TAG_BYTES)), decipher.final()]);
  }

  /** The key id a sealed value names, without opening it. */
  static keyIdOf(sealed: Uint8Array): string {
    const box = Buffer.from(sealed);
    return box.subarray(2, 2 + box[1]!).toString();
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses `GRAPHIUM_ENCRYPTION_KEYS` (or `GRAPHIUM_PAYLOAD_KEYS`, same form): comma-separated
 * `id:base64`, each key 32 random bytes (`openssl rand -base64 32`), the first one active. Returns the
 * problem as a string when invalid.
 */
export function parseKeyring(text: string, setting?: string): Keyring | string {
  const keys: EncryptionKey[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    if (colon < 1 || !KEY_ID.test(id))
      return 'expected id:base64key[,id:base64key…], e.g. k1:$(openssl rand -base64 32)';
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) return `key "${id}" must be 32 bytes, base64-encoded (openssl rand -base64 32)`;
    if (keys.some((k) => k.id === id)) return `key id "${id}" appears twice`;
    keys.push({ id, key });
  }
  return new Keyring(keys, setting);
}

/** A fresh one-key keyring in the form GRAPHIUM_ENCRYPTION_KEYS takes (`npm run dev` keeps one). */
export function generateKeyringText(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
