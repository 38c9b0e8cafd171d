// The Compose Specification's merge rules, used for `-f a.yml -f b.yml` and for `extends`: mappings
// merge key by key, sequences append, `command`/`entrypoint`/`healthcheck.test` are replaced, ports,
// volumes, secrets and configs are unique by their key (the later entry wins), and the forms that
// have a list and a mapping spelling (environment, labels, depends_on, networks...) merge as mappings.
// `!reset` removes what earlier files set; `!override` replaces it without merging.
import { parsePortShort } from './compose-syntax.js';
import { isMapping, Tagged, withoutTags } from './yaml.js';

type Mapping = Record<string, unknown>;

/** Service keys written as a list of KEY=VALUE or as a mapping: merged as mappings. */
const KEY_VALUE_KEYS = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts']);
/** Service keys whose value is replaced, never appended to. */
const REPLACED_KEYS = new Set(['command', 'entrypoint', 'extends']);
/** Lists of plain values that may also be written as one string: appended without duplicates. */
const STRING_LIST_KEYS = new Set([
  'dns',
  'dns_search',
  'dns_opt',
  'tmpfs',
  'expose',
  'cap_add',
  'cap_drop',
  'security_opt',
  'devices',
  'external_links',
  'links',
  'group_add',
  'profiles',
  'env_file',
  'label_file',
  'device_cgroup_rules',
]);

/** Compose's `KEY=VALUE` list form as a mapping (`KEY` alone maps to null, "take it from the environment"). */
export function keyValueMapping(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const out: Mapping = {};
  for (const entry of value) {
    if (typeof entry !== 'string') return value;
    const eq = entry.indexOf('=');
    if (eq < 0) out[entry] = null;
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** `extra_hosts` also has `host:ip` list entries. */
function extraHostsMapping(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const out: Mapping = {};
  for (const entry of value) {
    if (typeof entry !== 'string') return value;
    const sep = entry.search(/[=:]/);
    if (sep < 0) return value;
    out[entry.slice(0, sep)] = entry.slice(sep + 1);
  }
  return out;
}

function namesMapping(value: unknown, empty: () => unknown): unknown {
  if (!Array.isArray(value)) return value;
  return Object.fromEntries(value.map((name) => [String(name), empty()]));
}

function asList(value: unknown): unknown {
  return typeof value === 'string' || isMapping(value) ? [value] : value;
}

function volumeTarget(entry: unknown): string | undefined {
  if (isMapping(entry)) return typeof entry.target === 'string' ? entry.target : undefined;
  if (typeof entry !== 'string') return undefined;
  const parts = entry.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

function fileMountTarget(kind: 'secrets' | 'configs') {
  return (entry: unknown): string | undefined => {
    const source = isMapping(entry) ? entry.source : entry;
    if (isMapping(entry) && typeof entry.target === 'string') return entry.target;
    if (typeof source !== 'string') return undefined;
    return kind === 'secrets' ? `/run/secrets/${source}` : `/${source}`;
  };
}

function portKey(entry: unknown): string | undefined {
  if (typeof entry === 'string') {
    const parsed = parsePortShort(entry);
    if ('error' in parsed) return entry;
    const { hostIp = '', published = '', target, protocol } = parsed.value;
    return `${hostIp}|${published}|${target}|${protocol}`;
  }
  if (typeof entry === 'number') return `||${entry}|tcp`;
  if (isMapping(entry)) {
    return `${entry.host_ip ?? ''}|${entry.published ?? ''}|${entry.target}|${entry.protocol ?? 'tcp'}`;
  }
  return undefined;
}

/** Appends, the later entry replacing an earlier one with the same key. */
function mergeUnique(
  base: unknown[],
  over: unknown[],
  keyOf: (entry: unknown) => string | undefined,
): unknown[] {
  const out = [...base];
  for (const entry of over) {
    const key = keyOf(entry);
    const at = key === undefined ? -1 : out.findIndex((existing) => keyOf(existing) === key);
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}

function appendUnique(base: unknown[], over: unknown[]): unknown[] {
  const seen = new Set(base.map((entry) => JSON.stringify(entry)));
  return [...base, ...over.filter((entry) => !seen.has(JSON.stringify(entry)))];
}

/** The later value merged onto the earlier one with the generic rules: mappings merge, lists append. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (over instanceof Tagged) return over.tag === 'reset' ? undefined : withoutTags(over.value);
  if (base === undefined || base === null) return withoutTags(over);
  if (isMapping(base) && isMapping(over)) return mergeMappings(base, over, mergeValues);
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...(withoutTags(over) as unknown[])];
  return withoutTags(over);
}

function mergeMappings(
  base: Mapping,
  over: Mapping,
  mergeKey: (a: unknown, b: unknown, key: string) => unknown,
): Mapping {
  const out: Mapping = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const merged = mergeKey(base[key], value, key);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
}

/** One service of a later file (or an extending service) merged onto the earlier definition. */
export function mergeService(base: Mapping, over: Mapping): Mapping {
  return mergeMappings(base, over, mergeServiceKey);
}

function mergeServiceKey(base: unknown, over: unknown, key: string): unknown {
  if (over instanceof Tagged || base === undefined || base === null) return mergeValues(base, over);
  if (REPLACED_KEYS.has(key)) return withoutTags(over);
  if (KEY_VALUE_KEYS.has(key)) {
    const normalize = key === 'extra_hosts' ? extraHostsMapping : keyValueMapping;
    return mergeValues(normalize(base), normalize(over));
  }
  if (STRING_LIST_KEYS.has(key)) {
    const [a, b] = [asList(base), asList(withoutTags(over))];
    return Array.isArray(a) && Array.isArray(b) ? appendUnique(a, b) : b;
  }
  switch (key) {
    case 'ports':
      return pairOfLists(base, over, (a, b) => mergeUnique(a, b, portKey));
    case 'volumes':
      return pairOfLists(base, over, (a, b) => mergeUnique(a, b, volumeTarget));
    case 'secrets':
    case 'configs':
      return pairOfLists(base, over, (a, b) => mergeUnique(a, b, fileMountTarget(key)));
    case 'depends_on':
      return mergeValues(
        namesMapping(base, () => ({ condition: 'service_started' })),
        namesMapping(over, () => ({ condition: 'service_started' })),
      );
    case 'networks':
      return mergeValues(
        namesMapping(base, () => null),
        namesMapping(over, () => null),
      );
    case 'build': {
      const asObject = (value: unknown) => (typeof value === 'string' ? { context: value } : value);
      return mergeMappingsDeep(asObject(base), asObject(over), (b, o, k) =>
        k === 'args' || k === 'labels'
          ? mergeValues(keyValueMapping(b), keyValueMapping(o))
          : mergeValues(b, o),
      );
    }
    case 'healthcheck':
      return mergeMappingsDeep(base, over, (b, o, k) =>
        k === 'test' ? mergeValues(undefined, o) : mergeValues(b, o),
      );
    case 'ulimits':
      return mergeMappingsDeep(base, over, (_b, o) => mergeValues(undefined, o));
    case 'deploy':
      return mergeMappingsDeep(base, over, (b, o, k) =>
        k === 'labels' ? mergeValues(keyValueMapping(b), keyValueMapping(o)) : mergeValues(b, o),
      );
    default:
      return mergeValues(base, over);
  }
}

function pairOfLists(
  base: unknown,
  over: unknown,
  merge: (a: unknown[], b: unknown[]) => unknown[],
): unknown {
  const plain = withoutTags(over);
  return Array.isArray(base) && Array.isArray(plain) ? merge(base, plain) : plain;
}

function mergeMappingsDeep(
  base: unknown,
  over: unknown,
  mergeKey: (a: unknown, b: unknown, key: string) => unknown,
): unknown {
  if (isMapping(base) && isMapping(over)) return mergeMappings(base, over, mergeKey);
  return mergeValues(base, over);
}

/** Sections whose entries are named resources, merged entry by entry. */
const RESOURCE_SECTIONS = new Set(['networks', 'volumes', 'secrets', 'configs']);

/** A later Compose file merged onto the project so far. */
export function mergeDocuments(base: Mapping, over: Mapping): Mapping {
  return mergeMappings(base, over, (b, o, section) => {
    if (o instanceof Tagged) return mergeValues(b, o);
    if (section === 'services' && isMapping(b) && isMapping(o)) {
      return mergeMappings(b, o, (bs, os) =>
        os instanceof Tagged || !isMapping(bs) || !isMapping(os) ? mergeValues(bs, os) : mergeService(bs, os),
      );
    }
    if (RESOURCE_SECTIONS.has(section)) return mergeValues(b, o);
    return mergeValues(b, o);
  });
}
