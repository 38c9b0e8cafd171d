// Turns zod issues into Compose issues whose path and wording a Compose user recognises: the key that is
// wrong, `unsupported key "mode"` rather than "Unrecognized key", and one message per wrong union member.
import type { z } from 'zod';
import type { ComposeIssue } from './compose-errors.js';

type Segment = PropertyKey;
type ZodIssue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'null',
};

export function formatPath(path: readonly Segment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function joinAlternatives(names: string[]): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

/** A union member whose only complaint is the type of the value itself did not apply to this value. */
function isTypeMismatch(branch: ZodIssue[]): boolean {
  return branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0;
}

function convert(issue: ZodIssue, base: Segment[], out: ComposeIssue[]): void {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      for (const key of issue.keys)
        out.push({ path: formatPath([...path, key]), message: `unsupported key "${key}"` });
      return;
    case 'invalid_union': {
      const applicable = issue.errors.filter((branch) => !isTypeMismatch(branch));
      if (applicable.length === 1) {
        for (const inner of applicable[0]!) convert(inner, path, out);
        return;
      }
      const expected = issue.errors.flatMap((branch) =>
        branch[0]?.code === 'invalid_type' ? [TYPE_NAMES[branch[0].expected] ?? branch[0].expected] : [],
      );
      out.push({
        path: formatPath(path),
        message: `expected ${joinAlternatives(expected)}, got ${describe(issue.input)}`,
      });
      return;
    }
    case 'invalid_type': {
      const name = TYPE_NAMES[issue.expected];
      if (name === undefined) out.push({ path: formatPath(path), message: issue.message });
      else if (issue.input === undefined) out.push({ path: formatPath(path), message: 'required' });
      else out.push({ path: formatPath(path), message: `expected ${name}, got ${describe(issue.input)}` });
      return;
    }
    case 'invalid_value':
      out.push({
        path: formatPath(path),
        message: `unsupported value ${describe(issue.input)}; expected ${joinAlternatives(issue.values.map((v) => JSON.stringify(v)))}`,
      });
      return;
    default:
      out.push({ path: formatPath(path), message: issue.message });
  }
}

/** Parse with `reportInput: true` so messages can quote the offending value. */
export function composeIssues(error: z.ZodError): ComposeIssue[] {
  const out: ComposeIssue[] = [];
  for (const issue of error.issues) convert(issue as ZodIssue, [], out);
  return out;
}
