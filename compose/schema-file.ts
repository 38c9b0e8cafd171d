// The Compose Specification JSON schema, as scripts/fetch-compose-schema.ts installed it. The one
// place compose/ reads the file system: this is Graphium's own installed data, not a project file.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComposeError } from './compose-errors.js';

export const COMPOSE_SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'node_modules',
  '.cache',
  'graphium',
  'compose-spec.json',
);

let cached: Record<string, unknown> | undefined;

/** The parsed schema; a missing file is an installation problem, said as such. */
export function composeSchema(): Record<string, unknown> {
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(COMPOSE_SCHEMA_PATH, 'utf8');
  } catch {
    throw new ComposeError([
      {
        path: '',
        message:
          `the Compose Specification schema is not installed (${COMPOSE_SCHEMA_PATH}): ` +
          'run `npm run fetch-compose-schema` (npm ci runs it)',
      },
    ]);
  }
  cached = JSON.parse(text) as Record<string, unknown>;
  return cached;
}
