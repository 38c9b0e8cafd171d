// Every key path the Compose Specification schema declares, as `services.*.deploy.resources.limits.cpus`
// (`*` for a name, list items transparent). The policy test walks these so the table names every key.
import { composeSchema } from './schema-file.js';

type Schema = Record<string, unknown>;

export function schemaKeyPaths(): string[] {
  const root = composeSchema();
  const out = new Set<string>();
  const resolve = (node: Schema): Schema => {
    let at = node;
    for (let hops = 0; typeof at.$ref === 'string' && hops < 20; hops++) {
      const parts = at.$ref.replace(/^#\//, '').split('/');
      at = parts.reduce<Schema>((n, part) => (n?.[part] as Schema) ?? {}, root);
    }
    return at;
  };
  const walk = (raw: unknown, path: string[], seen: Set<Schema>) => {
    if (typeof raw !== 'object' || raw === null) return;
    const node = resolve(raw as Schema);
    if (seen.has(node)) return;
    const inside = new Set(seen).add(node);
    for (const key of ['allOf', 'oneOf', 'anyOf']) {
      for (const branch of (node[key] as Schema[]) ?? []) walk(branch, path, inside);
    }
    if (node.items) walk(node.items, path, inside);
    for (const [name, child] of Object.entries((node.properties as Record<string, Schema>) ?? {})) {
      out.add([...path, name].join('.'));
      walk(child, [...path, name], inside);
    }
    for (const [pattern, child] of Object.entries((node.patternProperties as Record<string, Schema>) ?? {})) {
      if (pattern !== '^x-') walk(child, [...path, '*'], inside);
    }
    if (typeof node.additionalProperties === 'object')
      walk(node.additionalProperties, [...path, '*'], inside);
  };
  walk(root, [], new Set());
  return [...out].sort();
}
