// Compose YAML (and JSON) text to plain values. YAML 1.2 with merge keys (`<<: *defaults`, common in
// Compose files though YAML 1.2 dropped them), unique keys, an alias budget, and Compose's two merge
// tags `!reset` and `!override`, which survive as Tagged markers until the files are merged.
import { LineCounter, parseDocument, Scalar, type ScalarTag, visit } from 'yaml';
import { ComposeError } from './compose-errors.js';
import { jsonSyntaxMessage } from './json-syntax.js';

/**
 * Bounds alias expansion, so a "billion laughs" document cannot exhaust the worker's memory; real
 * files that build every service from `<<: *defaults` need a couple of thousand.
 */
const MAX_ALIAS_COUNT = 10_000;

/**
 * `mode: 0440` is octal in Compose (its YAML reader follows YAML 1.1 there); YAML 1.2 would read 440.
 * Only plain scalars of octal digits with a leading 0 are affected.
 */
const legacyOctal: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^0[0-7]+$/,
  resolve: (text) => Number.parseInt(text, 8),
};

/** A value under `!reset` (remove what earlier files set) or `!override` (replace instead of merging). */
export class Tagged {
  constructor(
    readonly tag: 'reset' | 'override',
    readonly value: unknown,
  ) {}
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Tagged);
}

function describeDocument(value: unknown): string {
  if (value === null || value === undefined) return 'an empty document';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ComposeError([
      { path: where, message: `JSON syntax error: ${jsonSyntaxMessage(text, error)}` },
    ]);
  }
}

function parseYaml(text: string, where: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
    customTags: (tags) => [legacyOctal, ...tags],
  });
  if (doc.errors.length > 0) {
    throw new ComposeError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: where, message: `YAML syntax error at line ${line}, column ${col}: ${error.message}` };
      }),
    );
  }
  try {
    visit(doc, {
      Node(_key, node) {
        if (node.tag !== '!reset' && node.tag !== '!override') return undefined;
        const tag = node.tag === '!reset' ? 'reset' : 'override';
        node.tag = undefined;
        const value = tag === 'reset' ? null : node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
        return new Scalar(new Tagged(tag, value));
      },
    });
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ComposeError([{ path: where, message: `YAML error: ${(error as Error).message}` }]);
  }
}

/**
 * Parses one Compose file; throws ComposeError for syntax errors and for a document that is not a
 * mapping. `where` names the file in issues (empty for a single uploaded document).
 */
export function parseComposeText(text: string, format: 'yaml' | 'json', where = ''): Record<string, unknown> {
  const document = format === 'json' ? parseJson(text, where) : parseYaml(text, where);
  if (!isMapping(document)) {
    throw new ComposeError([
      {
        path: where,
        message: `a Compose document must be a mapping with "services", got ${describeDocument(document)}`,
      },
    ]);
  }
  return document;
}

/** The document with every marker resolved as a lone file means it: `!reset` removes, `!override` is the value. */
export function withoutTags(value: unknown): unknown {
  if (value instanceof Tagged) return value.tag === 'reset' ? undefined : withoutTags(value.value);
  if (Array.isArray(value)) return value.map(withoutTags).filter((item) => item !== undefined);
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const plain = withoutTags(item);
      if (plain !== undefined) out[key] = plain;
    }
    return out;
  }
  return value;
}
