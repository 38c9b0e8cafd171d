// Validation against the official Compose Specification schema (compose-go's compose-spec.json), so
// every key Compose knows is known here too and a typo is named as one. Ajv's errors are reduced to
// the most specific one per key and worded the way the rest of the loader speaks.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ComposeIssue } from './compose-errors.js';
import { formatPath } from './compose-issues.js';
import { composeSchema } from './schema-file.js';

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (validator) return validator;
  // Not strict: the schema is the official one, written for another validator; ajv's strict mode
  // would refuse its style (properties without "type"), not its meaning.
  const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
  validator = ajv.compile(composeSchema());
  return validator;
}

type Schema = Record<string, unknown>;

function resolveRef(schema: Schema, root: Schema): Schema {
  let node = schema;
  for (let hops = 0; typeof node.$ref === 'string' && hops < 20; hops++) {
    const parts = node.$ref.replace(/^#\//, '').split('/');
    node = parts.reduce<Schema>((at, part) => (at?.[part] as Schema) ?? {}, root);
  }
  return node;
}

/** Property names a schema node declares, through $ref and allOf. */
export function declaredProperties(node: Schema, root: Schema): Set<string> {
  const names = new Set<string>();
  const visit = (raw: Schema, depth: number) => {
    const at = resolveRef(raw, root);
    for (const name of Object.keys((at.properties as Schema) ?? {})) names.add(name);
    if (depth < 10) for (const part of (at.allOf as Schema[]) ?? []) visit(part, depth + 1);
  };
  visit(node, 0);
  return names;
}

function segments(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** `services.web.ports[0]`: the path form every issue uses. */
export const keyPath = formatPath;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function alternatives(names: string[]): string {
  const unique = [...new Set(names)];
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

interface Located {
  path: (string | number)[];
  error: ErrorObject;
}

/** Every schema violation of one file's document, most specific first, one message per key. */
export function schemaIssues(document: unknown): ComposeIssue[] {
  const validate = compiled();
  if (validate(document)) return [];
  const root = composeSchema();
  const located: Located[] = [];
  for (const error of validate.errors ?? []) {
    const path = segments(error.instancePath);
    if (error.keyword === 'unevaluatedProperties' || error.keyword === 'additionalProperties') {
      const key = String(error.params.unevaluatedProperty ?? error.params.additionalProperty);
      // A sibling's error makes ajv report declared keys as unevaluated too: those are not the problem.
      if (declaredProperties((error.parentSchema ?? {}) as Schema, root).has(key)) continue;
      located.push({ path: [...path, key], error });
    } else if (error.keyword === 'required') {
      located.push({ path: [...path, String(error.params.missingProperty)], error });
    } else {
      located.push({ path, error });
    }
  }
  // Where a deeper key is wrong, what the enclosing value's alternatives say adds nothing.
  const keys = located.map((item) => keyPath(item.path));
  const specific = located.filter(
    (_item, index) =>
      !keys.some(
        (other, j) =>
          j !== index &&
          other.startsWith(keys[index]!) &&
          other.length > keys[index]!.length &&
          /^[.[]/.test(other.slice(keys[index]!.length)),
      ),
  );
  const byPath = new Map<string, Located[]>();
  for (const item of specific) {
    const key = keyPath(item.path);
    byPath.set(key, [...(byPath.get(key) ?? []), item]);
  }
  return [...byPath.entries()].map(([path, items]) => ({ path, message: message(items) }));
}

function message(items: Located[]): string {
  const first = items[0]!.error;
  if (first.keyword === 'unevaluatedProperties' || first.keyword === 'additionalProperties') {
    const key = String(items[0]!.path.at(-1));
    const parent = (first.parentSchema ?? {}) as Schema;
    const named = Object.keys((parent.patternProperties as Schema) ?? {}).some(
      (pattern) => pattern !== '^x-',
    );
    if (named) return `"${key}" is not a valid name: use letters, digits, "_", "." and "-"`;
    return `unknown key "${key}": it is not in the Compose Specification (a typo?)`;
  }
  if (first.keyword === 'required') return 'required';
  // A form whose type fits but whose content does not (a list with duplicates, a number too small)
  // says more than the other forms' type mismatches.
  const content = items.find(
    (item) => !['type', 'oneOf', 'anyOf', 'enum', 'const'].includes(item.error.keyword),
  );
  if (content?.error.keyword === 'pattern') {
    return `${describe(content.error.data)} is not a valid value here (the Compose Specification wants ${content.error.params.pattern})`;
  }
  if (content) return `${content.error.message ?? 'invalid'} (got ${describe(content.error.data)})`;
  const types = items.filter((item) => item.error.keyword === 'type');
  if (types.length > 0 && !items.some((item) => item.error.keyword === 'enum')) {
    const expected = types.flatMap((item) => {
      const type = item.error.params.type;
      return (Array.isArray(type) ? type : [type]).map((t: string) => TYPE_NAMES[t] ?? t);
    });
    return `expected ${alternatives(expected)}, got ${describe(first.data)}`;
  }
  const enums = items.find((item) => item.error.keyword === 'enum');
  if (enums) {
    const allowed = (enums.error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
    return `unsupported value ${describe(enums.error.data)}; expected ${alternatives(allowed)}`;
  }
  const other =
    items.find((item) => item.error.keyword !== 'oneOf' && item.error.keyword !== 'anyOf') ?? items[0]!;
  if (other.error.keyword === 'oneOf' || other.error.keyword === 'anyOf') {
    return `${describe(other.error.data)} is not one of the forms the Compose Specification allows here`;
  }
  return `${other.error.message ?? 'invalid'} (got ${describe(other.error.data)})`;
}
