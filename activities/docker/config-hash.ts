import { createHash } from 'node:crypto';

// The config hash recognises an unchanged container. Stored on every container as a label, so its
// input must stay stable: a field the definition does not use is left out (undefined), never
// written as an empty value, and a container created before a field existed hashes the same.

/** SHA-256 of a canonical JSON form, shortened as the label has always been. */
export function configHash(value: unknown): string {
  return sha256(canonicalJson(value)).slice(0, 32);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted and undefined dropped: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
