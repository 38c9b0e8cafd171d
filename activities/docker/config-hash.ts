import { canonicalJson, sha256Hex } from '../../lib/digest.js';

// The config hash recognises an unchanged container. Stored on every container as a label, so its
// input must stay stable: a field the definition does not use is left out (undefined), never
// written as an empty value, and a container created before a field existed hashes the same.

/** SHA-256 of a canonical JSON form, shortened as the label has always been. */
export function configHash(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 32);
}
