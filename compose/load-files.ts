// Reading Compose files into one merged document: each file is parsed, interpolated, checked against
// the schema and its relative paths rewritten into project form; `include` brings in other projects'
// resources; several `-f` files merge by the Compose merge rules; `extends` pulls in a base service.
import { posix } from 'node:path';
import { ComposeError } from './compose-errors.js';
import { parseEnvFile } from './env-file.js';
import { type InterpolationIssue, interpolateDocument, type Lookup } from './interpolate.js';
import { mergeDocuments, mergeService, mergeValues } from './merge.js';
import type { ProjectContext } from './project-context.js';
import { decodeText } from './project-reader.js';
import { bundlePath, rebase, rebaseDocument } from './rebase.js';
import { keyPath, schemaIssues } from './schema.js';
import { isMapping, parseComposeText, withoutTags } from './yaml.js';

type Mapping = Record<string, unknown>;

/** How a file is named in issues: only when the project has several. */
function inFile(ctx: ProjectContext, file: string, message: string): string {
  return ctx.fileCount > 1 || !ctx.files.has(file) ? `${message} (in ${file})` : message;
}

export function reportInterpolation(ctx: ProjectContext, file: string, issues: InterpolationIssue[]): void {
  for (const issue of issues) {
    const path = keyPath(issue.path);
    if (!issue.warning) ctx.error(path, inFile(ctx, file, issue.message));
    else ctx.warn(path, issue.message, issue.message);
  }
}

/**
 * One Compose file (project-relative `file`) as a document whose relative paths are in project form,
 * resolved against `baseDir`. Undefined when it cannot be read or parsed (the problem is recorded).
 */
export function readComposeFile(
  ctx: ProjectContext,
  file: string,
  baseDir: string,
  lookup: Lookup = ctx.lookup,
  seen: string[] = [],
): Mapping | undefined {
  const read = ctx.reader.read(file);
  if (!read) {
    ctx.error('', `Compose file "${file}" not found in the project`);
    return undefined;
  }
  ctx.addFile(file);
  let parsed: Mapping;
  try {
    parsed = parseComposeText(decodeText(read.content), file.endsWith('.json') ? 'json' : 'yaml', '');
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    for (const issue of error.issues) ctx.error(issue.path, inFile(ctx, file, issue.message));
    return undefined;
  }
  const interpolationIssues: InterpolationIssue[] = [];
  const document = interpolateDocument(parsed, lookup, interpolationIssues) as Mapping;
  reportInterpolation(ctx, file, interpolationIssues);
  for (const issue of schemaIssues(withoutTags(document))) {
    ctx.error(issue.path, inFile(ctx, file, issue.message));
  }
  const rebased = rebaseDocument(baseDir, document);
  if (rebased.include !== undefined) return withIncludes(ctx, file, baseDir, rebased, lookup, seen);
  return rebased;
}

interface IncludeEntry {
  paths: string[];
  projectDirectory?: string;
  envFiles?: string[];
}

function includeEntries(value: unknown): IncludeEntry[] {
  if (!Array.isArray(value)) return [];
  const strings = (v: unknown) =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : undefined;
  return value.flatMap((entry): IncludeEntry[] => {
    if (typeof entry === 'string') return [{ paths: [entry] }];
    if (!isMapping(entry)) return [];
    const include: IncludeEntry = { paths: strings(entry.path) ?? [] };
    if (typeof entry.project_directory === 'string') include.projectDirectory = entry.project_directory;
    const envFiles = strings(entry.env_file);
    if (envFiles) include.envFiles = envFiles;
    return [include];
  });
}

const INCLUDED_SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** `include`: each entry is a project of its own (own directory, own .env) whose resources join this file's. */
function withIncludes(
  ctx: ProjectContext,
  file: string,
  baseDir: string,
  document: Mapping,
  lookup: Lookup,
  seen: string[],
): Mapping {
  const { include, ...rest } = document;
  const out: Mapping = { ...rest };
  includeEntries(include).forEach((entry, index) => {
    const where = `include[${index}]`;
    const paths = entry.paths.map((path) => bundlePath(rebase(baseDir, path)));
    if (paths.length === 0 || paths.some((path) => path === undefined)) {
      ctx.error(where, inFile(ctx, file, 'an included file must be a path inside the project directory'));
      return;
    }
    const files = paths as string[];
    if (files.some((path) => seen.includes(path) || path === file)) {
      ctx.error(where, inFile(ctx, file, `include cycle: ${[...seen, file, files[0]].join(' -> ')}`));
      return;
    }
    const projectDir =
      entry.projectDirectory !== undefined
        ? bundlePath(rebase(baseDir, entry.projectDirectory))
        : posix.dirname(files[0]!);
    if (projectDir === undefined) {
      ctx.error(`${where}.project_directory`, inFile(ctx, file, 'must be a directory inside the project'));
      return;
    }
    const envFiles = entry.envFiles?.map((path) => bundlePath(rebase(baseDir, path)));
    const includedLookup = includedVariables(ctx, where, file, projectDir, envFiles, lookup);
    let included: Mapping = {};
    for (const path of files) {
      const doc = readComposeFile(ctx, path, projectDir, includedLookup, [...seen, file]);
      if (doc) included = mergeDocuments(included, doc);
    }
    // As compose-go does: what the including file says about an included resource is merged over it.
    for (const section of INCLUDED_SECTIONS) {
      const theirs = included[section];
      if (!isMapping(theirs)) continue;
      const ours = isMapping(out[section]) ? (out[section] as Mapping) : {};
      const merged: Mapping = { ...theirs };
      for (const [name, value] of Object.entries(ours)) {
        const base = merged[name];
        merged[name] =
          section === 'services' && isMapping(base) && isMapping(value)
            ? mergeService(base, value)
            : mergeValues(base, value);
      }
      out[section] = merged;
    }
  });
  return out;
}

/** An included project's variables: the including project's first, then its own env files (or its .env). */
function includedVariables(
  ctx: ProjectContext,
  where: string,
  file: string,
  projectDir: string,
  envFiles: (string | undefined)[] | undefined,
  lookup: Lookup,
): Lookup {
  const defaultEnv = posix.join(projectDir, '.env');
  const paths = envFiles ?? (ctx.reader.read(defaultEnv) ? [defaultEnv] : []);
  const values: Record<string, string> = {};
  for (const path of paths) {
    const read = path === undefined ? undefined : ctx.reader.read(path);
    if (path === undefined || !read) {
      ctx.error(
        `${where}.env_file`,
        inFile(ctx, file, `env file "${path ?? '(outside the project)'}" not found in the project`),
      );
      continue;
    }
    ctx.addFile(path, true);
    const parsed = parseEnvFile(decodeText(read.content), (name) => lookup(name) ?? values[name]);
    for (const error of parsed.errors)
      ctx.error(`${where}.env_file`, `${path} line ${error.line}: ${error.message}`);
    Object.assign(values, parsed.values);
  }
  return (name) => lookup(name) ?? values[name];
}

/** Every service with its `extends` chain merged in; undefined entries where a chain failed. */
export function resolveExtends(ctx: ProjectContext, services: Mapping): Mapping {
  const otherFiles = new Map<string, Mapping | undefined>();
  const resolved = new Map<string, Mapping | undefined>();

  const loadFile = (file: string): Mapping | undefined => {
    if (!otherFiles.has(file)) otherFiles.set(file, readComposeFile(ctx, file, posix.dirname(file)));
    return otherFiles.get(file);
  };

  const resolve = (pool: Mapping, poolName: string, name: string, chain: string[]): Mapping | undefined => {
    const key = `${poolName}#${name}`;
    if (resolved.has(key)) return resolved.get(key);
    const path = `services.${name}`;
    const service = pool[name];
    if (!isMapping(service)) return undefined;
    const extendsValue = service.extends;
    if (extendsValue === undefined) return service;
    if (chain.includes(key)) {
      ctx.error(
        `${path}.extends`,
        `extends cycle: ${[...chain, key].map((k) => k.split('#')[1]).join(' -> ')}`,
      );
      return undefined;
    }
    const { extends: _, ...own } = service;
    const target = typeof extendsValue === 'string' ? { service: extendsValue } : (extendsValue as Mapping);
    const baseName = String(target.service);
    let basePool = pool;
    let basePoolName = poolName;
    if (typeof target.file === 'string') {
      const file = bundlePath(target.file);
      if (file === undefined) {
        ctx.error(
          `${path}.extends.file`,
          `"${target.file}" is outside the project directory, so it cannot travel to the hosts`,
        );
        return undefined;
      }
      const document = loadFile(file);
      if (!document) return undefined;
      basePool = isMapping(document.services) ? document.services : {};
      basePoolName = file;
    }
    if (!isMapping(basePool[baseName])) {
      const where = basePoolName === poolName ? '' : ` in ${basePoolName}`;
      ctx.error(`${path}.extends.service`, `service "${baseName}"${where} does not exist`);
      return undefined;
    }
    const base = resolve(basePool, basePoolName, baseName, [...chain, key]);
    if (!base) return undefined;
    const merged = mergeService(base, own);
    resolved.set(key, merged);
    return merged;
  };

  const out: Mapping = {};
  for (const name of Object.keys(services)) {
    const service = resolve(services, '', name, []);
    if (service) out[name] = service;
  }
  return out;
}
