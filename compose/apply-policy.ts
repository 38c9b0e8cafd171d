// Walks the merged document against the policy table: ignored keys become warnings, refused keys
// errors, admin keys entries of `adminOnly`, each naming its key path and saying why. Supported keys
// are walked into, so a refused key under a supported one is still found. `x-` keys are the user's.
import { composePolicy } from './policy.js';
import type { ProjectContext } from './project-context.js';
import { valuesOf } from './role-policy.js';
import { keyPath } from './schema.js';
import { schemaKeyPaths } from './schema-keys.js';
import { isMapping } from './yaml.js';

let knownPaths: Set<string> | undefined;
let namedPaths: Set<string> | undefined;

function schemaPaths(): { known: Set<string>; named: Set<string> } {
  if (!knownPaths || !namedPaths) {
    knownPaths = new Set(schemaKeyPaths());
    namedPaths = new Set(
      [...knownPaths].flatMap((p) => {
        const parts = p.split('.');
        return parts.flatMap((part, i) => (part === '*' ? [parts.slice(0, i).join('.')] : []));
      }),
    );
  }
  return { known: knownPaths, named: namedPaths };
}

/** What a key is worth reporting for: `privileged: false` or `cap_add: []` asks for nothing. */
function isUsed(value: unknown): boolean {
  if (value === false || value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return true;
}

export function applyPolicy(ctx: ProjectContext, document: Record<string, unknown>): void {
  const { known, named } = schemaPaths();
  const walk = (value: unknown, path: (string | number)[], pattern: string) => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...path, index], pattern);
      return;
    }
    if (!isMapping(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('x-')) continue;
      const childPattern =
        pattern === ''
          ? key
          : known.has(`${pattern}.${key}`)
            ? `${pattern}.${key}`
            : named.has(pattern)
              ? `${pattern}.*`
              : undefined;
      if (childPattern === undefined) continue;
      const childPath = [...path, key];
      const policy = composePolicy[childPattern];
      const where = keyPath(childPath);
      if (!policy || policy.status === 'supported') {
        if (ctx.policy.tightens(childPattern) && isUsed(item)) {
          ctx.requireAdmin(
            where,
            'admin only: this installation allows it to admins only (GRAPHIUM_COMPOSE_POLICY)',
          );
        }
        walk(item, childPath, childPattern);
        continue;
      }
      if (policy.status === 'ignored') ctx.warn(where, `ignored: ${policy.why}`);
      else if (policy.status === 'refused') ctx.error(where, `not supported: ${policy.why}`);
      else if (isUsed(item)) adminKey(ctx, where, childPattern, item, policy.why);
    }
  };
  walk(document, [], '');
}

/** An admin key in use: admin-only, but for the values this installation opened to deployers. */
function adminKey(ctx: ProjectContext, where: string, key: string, value: unknown, why: string): void {
  const values = valuesOf(key, value);
  if (!values) {
    ctx.hostAccess(where, key, undefined, `admin only: ${why}`);
    return;
  }
  const closed = values.filter((v) => ctx.policy.needsAdmin(key, v, true));
  if (closed.length === 0) return;
  const which = closed.length < values.length ? `: ${closed.join(', ')}` : '';
  ctx.requireAdmin(where, `admin only: ${why}${which}`);
}
