// Compose variable interpolation, as the Compose Specification defines it: `$VAR`, `${VAR}`, the
// default forms `${VAR:-d}` / `${VAR-d}`, the required forms `${VAR:?err}` / `${VAR?err}`, the
// alternative forms `${VAR:+alt}` / `${VAR+alt}`, `$$` for a literal `$`, and defaults that hold
// further `${…}`. Keys are never interpolated, only values (strings), as in Compose.

import { isMapping, Tagged } from './yaml.js';

export type Lookup = (name: string) => string | undefined;

export interface InterpolationResult {
  value: string;
  /** Variables used without a value and without a default: Compose warns and substitutes "". */
  unset: string[];
}

export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Interpolates one string; throws InterpolationError for a bad template or a missing required variable.
 * `lenient` (env files, as Compose's dotenv reader does) keeps a `$` that starts no variable as text.
 */
export function interpolate(text: string, lookup: Lookup, lenient = false): InterpolationResult {
  const unset: string[] = [];
  const value = expand(text, lookup, unset, lenient);
  return { value, unset };
}

function expand(text: string, lookup: Lookup, unset: string[], lenient = false): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = matchingBrace(text, dollar + 2);
      if (close < 0 && lenient) {
        out += text.slice(dollar);
        break;
      }
      if (close < 0)
        throw new InterpolationError(`invalid interpolation format in "${text}": unclosed "\${"`);
      out += braced(text.slice(dollar + 2, close), text, lookup, unset);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined && lenient) {
        out += '$';
        i = dollar + 1;
        continue;
      }
      if (name === undefined) {
        throw new InterpolationError(
          `invalid interpolation format in "${text}": "$" must start a variable ($VAR or \${VAR}); write "$$" for a literal "$"`,
        );
      }
      out += variableValue(name, lookup, unset);
      i = dollar + 1 + name.length;
    }
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${…}`. */
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function variableValue(name: string, lookup: Lookup, unset: string[]): string {
  const value = lookup(name);
  if (value === undefined) {
    if (!unset.includes(name)) unset.push(name);
    return '';
  }
  return value;
}

const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

function braced(body: string, text: string, lookup: Lookup, unset: string[]): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) {
    throw new InterpolationError(
      `invalid interpolation format in "${text}": "\${${body}}" names no variable`,
    );
  }
  const rest = body.slice(name.length);
  if (rest === '') return variableValue(name, lookup, unset);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) {
    throw new InterpolationError(
      `invalid interpolation format in "${text}": unexpected "${rest}" after \${${name}; expected :-, -, :?, ?, :+ or +`,
    );
  }
  const argument = rest.slice(operator.length);
  const value = lookup(name);
  // The colon forms treat an empty value like an unset one.
  const missing = operator.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (operator) {
    case ':-':
    case '-':
      return missing ? expand(argument, lookup, unset) : value!;
    case ':+':
    case '+':
      return missing ? '' : expand(argument, lookup, unset);
    default: {
      if (!missing) return value!;
      const message = expand(argument, lookup, unset);
      throw new InterpolationError(
        `required variable ${name} is missing a value${message ? `: ${message}` : ''}`,
      );
    }
  }
}

/** A path into the document and the interpolation failure or unset variables there. */
export interface InterpolationIssue {
  path: (string | number)[];
  message: string;
  warning: boolean;
}

/** Interpolates every string value of a parsed document in place of a copy; keys stay as written. */
export function interpolateDocument(
  value: unknown,
  lookup: Lookup,
  issues: InterpolationIssue[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    try {
      const result = interpolate(value, lookup);
      for (const name of result.unset) {
        issues.push({
          path,
          message: `variable ${name} is not set: substituted an empty string (set it in .env, --env-file or the stack variables)`,
          warning: true,
        });
      }
      return result.value;
    } catch (error) {
      if (!(error instanceof InterpolationError)) throw error;
      issues.push({ path, message: error.message, warning: false });
      return value;
    }
  }
  if (value instanceof Tagged)
    return new Tagged(value.tag, interpolateDocument(value.value, lookup, issues, path));
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateDocument(item, lookup, issues, [...path, index]));
  }
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = interpolateDocument(item, lookup, issues, [...path, key]);
    }
    return out;
  }
  return value;
}
