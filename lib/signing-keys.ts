import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

// Ed25519 keys that sign the work travelling through Temporal (lib/payload-codec.ts). The API and the
// orchestrator each hold a private key; whoever must trust their work holds the public keys. Written
// in configuration as `id:base64` of the raw 32 bytes (the private key's seed, or the public key), the
// id naming the key in every signature so keys can be rotated.

/** DER framing of a raw Ed25519 key: PKCS#8 for the 32-byte seed, SPKI for the 32-byte public key. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface SigningKey {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface VerifyingKey {
  id: string;
  publicKey: KeyObject;
}

function rawKey(entry: string, what: string): { id: string; bytes: Buffer } | string {
  const colon = entry.indexOf(':');
  const id = entry.slice(0, colon);
  if (colon < 1 || !KEY_ID.test(id)) return `expected id:base64 (${what}), e.g. from \`npm run keys\``;
  const bytes = Buffer.from(entry.slice(colon + 1), 'base64');
  if (bytes.length !== 32) return `key "${id}" must be 32 bytes, base64-encoded (${what})`;
  return { id, bytes };
}

/** `id:base64seed`: a private key. Returns the problem as a string when invalid. */
export function parseSigningKey(text: string): SigningKey | string {
  const raw = rawKey(text.trim(), 'an Ed25519 private key');
  if (typeof raw === 'string') return raw;
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw.bytes]),
    format: 'der',
    type: 'pkcs8',
  });
  return { id: raw.id, privateKey, publicKey: createPublicKey(privateKey) };
}

/** `id:base64[,id:base64…]`: public keys, every one trusted. Returns the problem as a string when invalid. */
export function parsePublicKeys(text: string): VerifyingKey[] | string {
  const keys: VerifyingKey[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    const raw = rawKey(entry, 'an Ed25519 public key');
    if (typeof raw === 'string') return raw;
    if (keys.some((k) => k.id === raw.id)) return `key id "${raw.id}" appears twice`;
    const publicKey = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, raw.bytes]),
      format: 'der',
      type: 'spki',
    });
    keys.push({ id: raw.id, publicKey });
  }
  return keys;
}

/** The public half in the form GRAPHIUM_*_PUBLIC_KEYS take. */
export function publicKeyText(key: { id: string; publicKey: KeyObject }): string {
  const der = key.publicKey.export({ format: 'der', type: 'spki' });
  return `${key.id}:${der.subarray(SPKI_PREFIX.length).toString('base64')}`;
}

/** A fresh private key in the form GRAPHIUM_*_SIGNING_KEY take. */
export function generateSigningKeyText(id: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return `${id}:${der.subarray(PKCS8_PREFIX.length).toString('base64')}`;
}

export function signBytes(key: SigningKey, message: Uint8Array): Buffer {
  return sign(null, message, key.privateKey);
}

export function verifyBytes(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
