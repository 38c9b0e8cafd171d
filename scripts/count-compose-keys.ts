// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the labels name Compose interpolation forms (${VAR}).
// Counts which Compose keys and patterns a set of Compose files uses: how docs/compose-in-the-wild.md
// was made. `node --import tsx scripts/count-compose-keys.ts DIR` prints a Markdown table; DIR holds
// the files (YAML), one per project. Reads only; keys are counted once per file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { schemaKeyPaths } from '../compose/schema-keys.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: count-compose-keys.ts DIR');
  process.exit(2);
}
const known = new Set(schemaKeyPaths());
const named = new Set(
  [...known].flatMap((p) =>
    p.split('.').flatMap((part, i, parts) => (part === '*' ? [parts.slice(0, i).join('.')] : [])),
  ),
);

/** Text patterns that are not keys: how values are written. */
const PATTERNS: [string, (text: string, doc: unknown) => boolean][] = [
  ['`${VAR}` / `$VAR` interpolation', (t) => /\$\{?[A-Za-z_]/.test(t.replace(/\$\$/g, ''))],
  ['`${VAR:-default}` / `${VAR-default}`', (t) => /\$\{[A-Za-z_][A-Za-z0-9_]*:?-/.test(t)],
  ['`${VAR:?error}` / `${VAR?error}`', (t) => /\$\{[A-Za-z_][A-Za-z0-9_]*:?\?/.test(t)],
  ['`$$` (a literal `$`)', (t) => /\$\$/.test(t)],
  ['YAML anchors and aliases (`&x`, `*x`)', (t) => /(^|\s)&[A-Za-z]/m.test(t) && /\*[A-Za-z]/.test(t)],
  ['merge keys (`<<: *x`)', (t) => /<<\s*:/.test(t)],
  ['top-level `x-` extension fields', (t) => /^x-[\w-]+:/m.test(t)],
  [
    'relative bind mount (`./path:/target`)',
    (t) => /^\s*-\s*["']?\.{1,2}\//m.test(t) || /source:\s*["']?\.{1,2}\//.test(t),
  ],
  ['absolute bind mount (`/host/path:/target`)', (t) => /^\s*-\s*["']?\/[^:\s]*:\//m.test(t)],
  ['Docker socket bind mount', (t) => /docker\.sock/.test(t)],
  [
    'bind mount of a single file (`./x.conf:/etc/x.conf`)',
    (t) => /^\s*-\s*["']?\.\/[^:\s]*\.[a-z]{2,5}:\//m.test(t),
  ],
  ['read-only mount (`:ro`)', (t) => /:ro["',\s]*$/m.test(t) || /read_only:\s*true/.test(t)],
  [
    'anonymous volume (`- /path`)',
    (t) =>
      /^\s*-\s*["']?\/[^:\s]+["']?\s*$/m.test(
        t
          .split(/volumes:/)
          .slice(1)
          .join(''),
      ),
  ],
  ['`build: .` (short form)', (t) => /build:\s*["']?\.[^\n]*$/m.test(t)],
  ['`build:` long form (context/dockerfile)', (t) => /build:\s*\n\s+(context|dockerfile):/.test(t)],
  ['`env_file: .env`-style service env files', (t) => /env_file:/.test(t)],
  ['`depends_on` with `condition:`', (t) => /condition:\s*service_/.test(t)],
  ['healthcheck `CMD-SHELL`', (t) => /CMD-SHELL/.test(t)],
  ['port bound to one address (`127.0.0.1:8080:80`)', (t) => /\d+\.\d+\.\d+\.\d+:\d+:\d+/.test(t)],
  ['port range (`8000-8010`)', (t) => /["'\s]\d+-\d+(:\d+(-\d+)?)?(\/\w+)?["']?\s*$/m.test(t)],
  ['`restart: unless-stopped`', (t) => /restart:\s*["']?unless-stopped/.test(t)],
  ['`restart: always`', (t) => /restart:\s*["']?always/.test(t)],
];

function walk(value: unknown, pattern: string, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, pattern, found);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('x-') || key === '<<') continue;
    const child =
      pattern === ''
        ? key
        : known.has(`${pattern}.${key}`)
          ? `${pattern}.${key}`
          : named.has(pattern)
            ? `${pattern}.*`
            : undefined;
    if (child === undefined) continue;
    found.add(child);
    walk(item, child, found);
  }
}

const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
const keyCounts = new Map<string, number>();
const patternCounts = new Map<string, number>();
for (const name of files) {
  const text = readFileSync(join(dir, name), 'utf8');
  const doc = parseDocument(text, { merge: true, uniqueKeys: false }).toJS({ maxAliasCount: -1 });
  const found = new Set<string>();
  walk(doc, '', found);
  for (const key of found) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  for (const [label, test] of PATTERNS)
    if (test(text, doc)) patternCounts.set(label, (patternCounts.get(label) ?? 0) + 1);
}
const rows = (counts: Map<string, number>) =>
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key, n]) => `| \`${key}\` | ${n} |`);
console.log(`${files.length} files\n\n| key | files |\n|---|---|\n${rows(keyCounts).join('\n')}`);
console.log(
  `\n| pattern | files |\n|---|---|\n${[...patternCounts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `| ${k} | ${n} |`)
    .join('\n')}`,
);
