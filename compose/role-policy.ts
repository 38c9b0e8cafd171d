// Who may use which Compose keys: the policy table's `admin` keys and admin-only values by default,
// tightened or relaxed by an installation's GRAPHIUM_COMPOSE_POLICY file (docs/security.md). The
// loader asks this for every use of a key that gives a container power over its host, and for every
// key an admin made admin-only; what needs admin is listed in `adminOnly`, which the API refuses to
// other roles. Pure: the file is read by the API's configuration (lib/compose-policy-file.ts).
import { composePolicy } from './policy.js';
import { isMapping } from './yaml.js';

export type PolicyRole = 'deployer' | 'admin';

/** A key's rule: everyone who may write stacks (deployer), admins only, or deployers for these values only. */
export type RoleRule = PolicyRole | { deployer: string[] };

/**
 * Keys whose uses are named values, each opened to deployers one by one with `{deployer: [...]}`.
 * What a value is, for each: the docs table shows these texts.
 */
export const VALUE_KEYS: Record<string, string> = {
  'services.*.cap_add': 'a capability, as written (`NET_ADMIN`)',
  'services.*.devices': 'the host device path (`/dev/fuse`)',
  'services.*.sysctls': 'the kernel parameter (`net.core.somaxconn`)',
  'services.*.security_opt': 'the option, as written (`no-new-privileges:true`)',
  'services.*.userns_mode': 'the mode (`host`)',
  'services.*.network_mode': 'the mode: `host` or `bridge`',
  'services.*.pid': 'the mode: `host`',
  'services.*.ipc': 'the mode: `host`',
  'services.*.volumes': 'an absolute bind source: that host path and everything under it (`/etc/localtime`)',
  'networks.*.external': 'the Docker name of the network',
  'volumes.*.external': 'the Docker name of the volume',
  'networks.*.driver': 'the driver (`macvlan`)',
  'volumes.*.driver': 'the driver (`local-persist`)',
  'services.*.container_name': 'the container name (`postgres`)',
  'services.*.image': 'the name a build is tagged as (`acme/web:1`)',
};

/** `a/b/../c` → `/a/c`: a bind source is matched as the path it really names. */
function normalPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function valueMatches(key: string, allowed: readonly string[], value: string): boolean {
  if (key !== 'services.*.volumes') return allowed.includes(value);
  const path = normalPath(value);
  return allowed.some((root) => {
    const base = normalPath(root);
    return path === base || path.startsWith(base === '/' ? '/' : `${base}/`);
  });
}

export class RolePolicy {
  static readonly defaults = new RolePolicy(new Map());

  constructor(readonly rules: ReadonlyMap<string, RoleRule>) {}

  /**
   * Whether this use of a table key needs role admin. `value` names the use (see VALUE_KEYS), when it
   * has one; `byDefault` is what the policy table says without configuration.
   */
  needsAdmin(key: string, value: string | undefined, byDefault: boolean): boolean {
    const rule = this.rules.get(key);
    if (rule === undefined) return byDefault;
    if (typeof rule === 'string') return rule === 'admin';
    // Values not listed keep the table's answer: relaxing some capabilities opens no others.
    return value === undefined || !valueMatches(key, rule.deployer, value) ? byDefault : false;
  }

  /** A key the table opens to deployers that this installation made admin-only. */
  tightens(key: string): boolean {
    return this.rules.get(key) === 'admin' && composePolicy[key]?.status === 'supported';
  }
}

/**
 * Reads a policy document (`{rules: {<table key>: admin | deployer | {deployer: [values]}}}`), or
 * says everything that is wrong with it.
 */
export function parseRolePolicy(document: unknown): RolePolicy | string[] {
  if (!isMapping(document)) return ['expected a mapping with `rules`'];
  const problems: string[] = [];
  for (const key of Object.keys(document)) if (key !== 'rules') problems.push(`unknown setting "${key}"`);
  const rules = document.rules ?? {};
  if (!isMapping(rules))
    return [...problems, '`rules` must map Compose keys to admin, deployer or {deployer: [...]}'];
  const parsed = new Map<string, RoleRule>();
  for (const [key, rule] of Object.entries(rules)) {
    const where = `rules["${key}"]`;
    const entry = composePolicy[key];
    if (!entry) {
      problems.push(
        `${where}: not a key of the policy table (write keys as docs/compose.md lists them, e.g. services.*.cap_add)`,
      );
      continue;
    }
    if (entry.status === 'refused' || entry.status === 'ignored') {
      problems.push(
        `${where}: ${entry.status} for everyone; the policy decides who may use supported and admin keys`,
      );
      continue;
    }
    const valueKey = Object.hasOwn(VALUE_KEYS, key);
    if (rule === 'admin' || rule === 'deployer') {
      if (rule === 'deployer' && entry.status === 'supported' && !valueKey) {
        problems.push(`${where}: already open to deployers`);
        continue;
      }
      parsed.set(key, rule);
      continue;
    }
    if (isMapping(rule) && Object.keys(rule).length === 1 && Array.isArray(rule.deployer)) {
      const values = rule.deployer;
      if (!valueKey) {
        problems.push(
          `${where}: values can be opened one by one only for ${Object.keys(VALUE_KEYS).join(', ')}`,
        );
      } else if (values.length === 0 || !values.every((v) => typeof v === 'string' && v !== '')) {
        problems.push(`${where}: deployer must list values (${VALUE_KEYS[key]})`);
      } else {
        parsed.set(key, { deployer: values as string[] });
      }
      continue;
    }
    problems.push(`${where}: expected admin, deployer or {deployer: [values]}`);
  }
  return problems.length > 0 ? problems : new RolePolicy(parsed);
}

/** The values a use of a key names (VALUE_KEYS), as the loader reads them from the document. */
export function valuesOf(key: string, value: unknown): string[] | undefined {
  if (!Object.hasOwn(VALUE_KEYS, key)) return undefined;
  const items = Array.isArray(value)
    ? value
    : key === 'services.*.sysctls' && isMapping(value)
      ? Object.keys(value)
      : [value];
  const named = items.map((item) => {
    if (isMapping(item))
      return key === 'services.*.devices' && typeof item.source === 'string' ? item.source : undefined;
    const text = String(item);
    if (key === 'services.*.devices') return text.split(':')[0];
    if (key === 'services.*.sysctls') return text.split('=')[0];
    return text;
  });
  return named.every((n): n is string => n !== undefined) ? named : undefined;
}
