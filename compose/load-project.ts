// loadProject: a Compose project (its files, read through a ProjectReader) → the StackSpec Graphium
// deploys, the warnings to keep with the version, the admin-only keys used, and the bundle of every
// file the project needs. Every problem is reported at once in one ComposeError.
import { posix } from 'node:path';
import type { StackSpec } from '../stack/types.js';
import { applyPolicy } from './apply-policy.js';
import { ComposeError, type ComposeIssue } from './compose-errors.js';
import { parseEnvFile } from './env-file.js';
import type { Lookup } from './interpolate.js';
import { readComposeFile, resolveExtends } from './load-files.js';
import { mergeDocuments } from './merge.js';
import { normalizeProject } from './normalize.js';
import { type BundleEntry, ProjectContext } from './project-context.js';
import { decodeText, type ProjectReader, projectPath } from './project-reader.js';
import type { RolePolicy } from './role-policy.js';
import { stringList } from './values.js';
import { isMapping } from './yaml.js';

export interface LoadProjectOptions {
  /** Compose files in -f order (project-relative). */
  files: string[];
  /** --env-file files (project-relative); default: `.env` when it exists. */
  envFiles?: string[];
  profiles?: string[];
  /** Stack variables: they play the role of the shell environment, overriding .env. */
  variables?: Record<string, string>;
  /** Who may use which keys (GRAPHIUM_COMPOSE_POLICY); the policy table's defaults when absent. */
  policy?: RolePolicy;
}

export interface LoadedProject {
  /** spec.bundle is the manifest of `files` below. */
  spec: StackSpec;
  /** {path, message}: ignored keys, unset variables... */
  warnings: ComposeIssue[];
  /** The bundle: every file the project needs, by project-relative path. */
  files: Map<string, BundleEntry>;
  /** Keys the policy table allows to admins only, as used: [{path, message}]; empty when none. */
  adminOnly: ComposeIssue[];
}

/** Reads the project's variables: env files in order (later wins), then the stack variables over them. */
function projectVariables(reader: ProjectReader, options: LoadProjectOptions, errors: ComposeIssue[]) {
  const variables = options.variables ?? {};
  const values: Record<string, string> = {};
  const lookup: Lookup = (name) => (Object.hasOwn(variables, name) ? variables[name] : values[name]);
  const explicit = options.envFiles !== undefined;
  const envFiles = options.envFiles ?? (reader.read('.env') ? ['.env'] : []);
  const used: string[] = [];
  for (const file of envFiles) {
    const path = projectPath('.', file);
    const read = path === undefined ? undefined : reader.read(path);
    if (path === undefined || !read) {
      errors.push({
        path: '',
        message: `env file "${file}" ${path === undefined ? 'is outside the project directory' : 'not found in the project'}`,
      });
      continue;
    }
    used.push(path);
    const parsed = parseEnvFile(decodeText(read.content), lookup);
    for (const error of parsed.errors)
      errors.push({ path: '', message: `${path} line ${error.line}: ${error.message}` });
    Object.assign(values, parsed.values);
  }
  return { lookup, used, explicit };
}

/** `--profile` values, else COMPOSE_PROFILES from the variables, as Compose reads it. */
function activeProfiles(options: LoadProjectOptions, lookup: Lookup): Set<string> {
  if (options.profiles && options.profiles.length > 0) return new Set(options.profiles);
  return new Set(
    (lookup('COMPOSE_PROFILES') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

/** Services whose profiles are not active are not part of the project; a service without profiles always is. */
function withActiveProfiles(
  document: Record<string, unknown>,
  profiles: Set<string>,
): Record<string, unknown> {
  if (!isMapping(document.services)) return document;
  const all = profiles.has('*');
  const services = Object.fromEntries(
    Object.entries(document.services).filter(([, service]) => {
      const own = isMapping(service) ? stringList(service.profiles) : [];
      return own.length === 0 || all || own.some((profile) => profiles.has(profile));
    }),
  );
  return { ...document, services };
}

export function loadProject(reader: ProjectReader, options: LoadProjectOptions): LoadedProject {
  const early: ComposeIssue[] = [];
  if (options.files.length === 0) throw new ComposeError([{ path: '', message: 'no Compose file given' }]);
  const { lookup, used } = projectVariables(reader, options, early);
  const ctx = new ProjectContext(reader, lookup, options.files.length, options.policy);
  ctx.errors.push(...early);
  // Env files are where projects keep passwords: stored encrypted and hidden like secrets.
  for (const file of used) ctx.addFile(file, true);

  let document: Record<string, unknown> = {};
  for (const file of options.files) {
    const path = projectPath('.', file);
    if (path === undefined) {
      ctx.error('', `Compose file "${file}" is outside the project directory (${posix.normalize(file)})`);
      continue;
    }
    // Every -f file's relative paths are relative to the project directory, as in Compose.
    const parsed = readComposeFile(ctx, path, '.');
    if (parsed) document = mergeDocuments(document, parsed);
  }
  if (ctx.errors.length > 0) throw new ComposeError(ctx.errors);

  if (isMapping(document.services)) document.services = resolveExtends(ctx, document.services);
  document = withActiveProfiles(document, activeProfiles(options, lookup));
  applyPolicy(ctx, document);
  const spec = normalizeProject(ctx, document);
  if (ctx.errors.length > 0) throw new ComposeError(ctx.errors);
  return { spec, warnings: ctx.warnings, files: ctx.files, adminOnly: ctx.adminOnly };
}
