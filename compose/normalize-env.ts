// A service's environment and labels: `env_file`/`label_file` entries in order (string, list, or
// `{path, required, format}`), then `environment`/`labels` over them. The files travel in the bundle.
import { RESERVED_LABEL_PREFIX } from '../contracts/vocabulary.js';
import { parseEnvFile } from './env-file.js';
import type { ProjectContext } from './project-context.js';
import { decodeText } from './project-reader.js';
import { bundlePath } from './rebase.js';
import { keyValueEntries, scalarText } from './values.js';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

/** `env_file` or `label_file` entries: string, list of strings, or `{path, required, format}`. */
function readVariableFiles(
  ctx: ProjectContext,
  path: string,
  value: unknown,
  what: string,
): Record<string, string> {
  const values: Record<string, string> = {};
  if (value === undefined || value === null) return values;
  const list = Array.isArray(value) ? value : [value];
  list.forEach((entry, index) => {
    const where = Array.isArray(value) ? `${path}[${index}]` : path;
    const file = isMapping(entry) ? scalarText(entry.path) : scalarText(entry);
    const required = isMapping(entry) ? entry.required !== false && entry.required !== 'false' : true;
    const raw = isMapping(entry) && entry.format === 'raw';
    const project = bundlePath(file);
    if (project === undefined) {
      ctx.error(
        where,
        `${what} "${file}" is outside the project directory, so it cannot travel to the hosts`,
      );
      return;
    }
    const read = ctx.reader.read(project);
    if (!read) {
      if (required)
        ctx.error(
          where,
          `${what} "${file}" not found in the project (set required: false if it is optional)`,
        );
      return;
    }
    // An env file holds what containers are configured with, passwords included: treat it as secret.
    ctx.addFile(project, what === 'env file');
    const parsed = parseEnvFile(decodeText(read.content), ctx.lookup, raw);
    for (const error of parsed.errors) ctx.error(where, `${project} line ${error.line}: ${error.message}`);
    for (const name of parsed.unset) {
      ctx.warn(
        where,
        `variable ${name} is not set: substituted an empty string (set it in .env, --env-file or the stack variables)`,
        `variable ${name} is not set`,
      );
    }
    Object.assign(values, parsed.values);
  });
  return values;
}

/**
 * Linux refuses to exec with one `KEY=value` string longer than MAX_ARG_STRLEN (32 pages, 131072 bytes,
 * its NUL included): such a container would only fail on the host. Refused here, with the key named.
 */
export const MAX_ENV_ENTRY_BYTES = 128 * 1024 - 1;

export function environment(ctx: ProjectContext, path: string, service: Mapping): Record<string, string> {
  const env = readVariableFiles(ctx, `${path}.env_file`, service.env_file, 'env file');
  for (const [key, value] of keyValueEntries(service.environment)) {
    // `- KEY` or `KEY:` takes the value from the project's variables; unset, the variable is left out.
    const resolved = value ?? ctx.lookup(key);
    if (resolved !== undefined) env[key] = resolved;
    else delete env[key];
  }
  for (const [key, value] of Object.entries(env)) {
    const bytes = Buffer.byteLength(`${key}=${value}`);
    if (bytes > MAX_ENV_ENTRY_BYTES) {
      ctx.error(
        `${path}.environment.${key}`,
        `${key}=… is ${bytes} bytes: one environment entry may hold at most ${MAX_ENV_ENTRY_BYTES} (128 KiB, Linux's MAX_ARG_STRLEN); mount a file instead`,
      );
    }
  }
  return env;
}

export function labels(ctx: ProjectContext, path: string, service: Mapping): Record<string, string> {
  const out = readVariableFiles(ctx, `${path}.label_file`, service.label_file, 'label file');
  for (const [key, value] of keyValueEntries(service.labels)) out[key] = value ?? '';
  for (const key of Object.keys(out)) {
    if (key.startsWith(RESERVED_LABEL_PREFIX))
      ctx.error(`${path}.labels.${key}`, `labels under "${RESERVED_LABEL_PREFIX}" are reserved`);
  }
  return out;
}
