// The `.env` / `--env-file` / `env_file:` syntax Compose reads: `KEY=VALUE` lines, `export KEY=VALUE`,
// `#` comments, blank lines; single quotes keep text as written, double quotes read escapes (\n, \t,
// \\, \", \$) and may span lines; unquoted values lose an inline ` #comment` and surrounding blanks.
// Unquoted and double-quoted values are interpolated (`${OTHER}`, defaults...; a `$` that starts no
// variable stays as it is, as in Compose's reader) with the variables
// defined above them and then `lookup`; `KEY` alone takes its value from `lookup`, or is left out.
import { interpolate, type Lookup } from './interpolate.js';

export interface EnvFileResult {
  values: Record<string, string>;
  /** Problems, each with its 1-based line. */
  errors: { line: number; message: string }[];
  /** Variables used without a value (Compose substitutes ""). */
  unset: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', $: '$$' };

/** `raw` (Compose `format: raw`) takes every value literally: no quotes, escapes or interpolation. */
export function parseEnvFile(text: string, lookup: Lookup, raw = false): EnvFileResult {
  const values: Record<string, string> = {};
  const errors: EnvFileResult['errors'] = [];
  const unset: string[] = [];
  const seen: Lookup = (name) => (Object.hasOwn(values, name) ? values[name] : lookup(name));
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.search(/[=:]/);
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!KEY.test(key)) {
      errors.push({ line: lineNumber, message: `"${key}" is not a variable name` });
      continue;
    }
    if (eq < 0) {
      const value = lookup(key);
      if (value !== undefined) values[key] = value;
      continue;
    }
    let rest = body.slice(eq + 1).trimStart();
    if (raw) {
      values[key] = rest;
      continue;
    }
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      // A quoted value may go on over the following lines until its closing quote.
      let close = findClosingQuote(rest, quote);
      while (close < 0 && index + 1 < lines.length) {
        index++;
        rest += `\n${lines[index]}`;
        close = findClosingQuote(rest, quote);
      }
      if (close < 0) {
        errors.push({
          line: lineNumber,
          message: `the ${quote === '"' ? 'double' : 'single'} quote is never closed`,
        });
        continue;
      }
      const inner = rest.slice(1, close);
      if (quote === "'") {
        values[key] = inner;
        continue;
      }
      const unescaped = inner.replace(/\\(.)/g, (match, ch: string) => ESCAPES[ch] ?? match);
      values[key] = expand(unescaped, seen, unset, errors, lineNumber);
      continue;
    }
    const comment = rest.search(/\s#/);
    const value = (comment < 0 ? rest : rest.slice(0, comment)).trim();
    values[key] = expand(value, seen, unset, errors, lineNumber);
  }
  return { values, errors, unset };
}

function findClosingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function expand(
  value: string,
  lookup: Lookup,
  unset: string[],
  errors: EnvFileResult['errors'],
  line: number,
): string {
  try {
    const result = interpolate(value, lookup, true);
    for (const name of result.unset) if (!unset.includes(name)) unset.push(name);
    return result.value;
  } catch (error) {
    errors.push({ line, message: (error as Error).message });
    return value;
  }
}
