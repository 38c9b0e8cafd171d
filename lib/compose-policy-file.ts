import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseRolePolicy, type RolePolicy } from '../compose/role-policy.js';

/**
 * GRAPHIUM_COMPOSE_POLICY: a YAML (or JSON) file that tightens or relaxes who may use which Compose
 * keys (docs/security.md). Read once at start; the problem as a string when it cannot be used.
 */
export function readComposePolicy(path: string): RolePolicy | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    return `${path} is not YAML or JSON: ${(error as Error).message.split('\n')[0]}`;
  }
  const policy = parseRolePolicy(document ?? {});
  return Array.isArray(policy) ? `${path}: ${policy.join('; ')}` : policy;
}
