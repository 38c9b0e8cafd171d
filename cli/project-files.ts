// The CLI's side of a Compose project: a ProjectReader over a directory (the first Compose file's),
// the loader run over it with the flags `docker compose` takes, and the files to upload.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  type LoadedProject,
  type LoadProjectOptions,
  loadProject,
  type ProjectReader,
} from '../compose/index.js';
import { UsageError } from './exit-codes.js';

/** Version control data is never part of a project's files. */
const SKIPPED_DIRECTORIES = new Set(['.git']);

const toPosix = (path: string) => path.split(sep).join('/');

/** Reads files under `root` only: a path or a symlink that leads outside it reads as absent. */
export function fileSystemReader(root: string): ProjectReader {
  const realRoot = realpathSync(root);
  const locate = (path: string): string | undefined => {
    const full = resolve(realRoot, path);
    try {
      const real = realpathSync(full);
      return real === realRoot || real.startsWith(`${realRoot}${sep}`) ? real : undefined;
    } catch {
      return undefined;
    }
  };
  const list = (dir: string): string[] => {
    const start = locate(dir);
    if (start === undefined || !statSync(start).isDirectory()) return [];
    const out: string[] = [];
    // A symlink back to a parent would make the walk endless: each real directory is walked once.
    const walked = new Set<string>();
    const walk = (at: string) => {
      const realAt = realpathSync(at);
      if (walked.has(realAt)) return;
      walked.add(realAt);
      for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
        a.name < b.name ? -1 : 1,
      )) {
        const full = join(at, entry.name);
        const real = locate(relative(realRoot, full));
        if (real === undefined) continue;
        const stat = statSync(real);
        if (stat.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) walk(full);
        else if (stat.isFile()) out.push(toPosix(relative(realRoot, full)));
      }
    };
    walk(start);
    return out;
  };
  return {
    read(path) {
      const real = locate(path);
      if (real === undefined) return undefined;
      const stat = statSync(real);
      if (!stat.isFile()) return undefined;
      return { content: new Uint8Array(readFileSync(real)), mode: stat.mode & 0o7777 };
    },
    isDirectory(path) {
      const real = locate(path);
      return real !== undefined && statSync(real).isDirectory();
    },
    list,
  };
}

export interface ProjectFlags {
  /** `-f` files as given, relative to the working directory (default: compose.yaml and its kin). */
  files: string[];
  envFiles?: string[];
  profiles?: string[];
  variables?: Record<string, string>;
}

/** The names `docker compose` looks for when no -f is given, in its order. */
const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const DEFAULT_OVERRIDES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

function defaultFiles(cwd: string): string[] {
  const base = DEFAULT_FILES.find((name) => exists(join(cwd, name)));
  if (base === undefined)
    throw new UsageError(`no Compose file: pass -f, or run where ${DEFAULT_FILES[0]} is`);
  const override = DEFAULT_OVERRIDES.find((name) => exists(join(cwd, name)));
  return override ? [base, override] : [base];
}

function exists(path: string): boolean {
  try {
    return lstatSync(path).isFile() || statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface ReadProject {
  /** The project directory: the first Compose file's. */
  root: string;
  /** The loader's options, with paths relative to root. */
  options: LoadProjectOptions;
  loaded: LoadedProject;
}

/** Runs the loader over the project the flags name; throws ComposeError (every issue) or UsageError. */
export function readProject(flags: ProjectFlags, cwd = process.cwd()): ReadProject {
  const given = flags.files.length > 0 ? flags.files : defaultFiles(cwd);
  const absolute = given.map((file) => (isAbsolute(file) ? file : resolve(cwd, file)));
  if (!exists(absolute[0]!)) throw new UsageError(`cannot read ${given[0]}: no such file`);
  const root = dirname(absolute[0]!);
  const inProject = (path: string) => toPosix(relative(root, isAbsolute(path) ? path : resolve(cwd, path)));
  const options: LoadProjectOptions = { files: absolute.map(inProject) };
  if (flags.envFiles && flags.envFiles.length > 0) options.envFiles = flags.envFiles.map(inProject);
  if (flags.profiles && flags.profiles.length > 0) options.profiles = flags.profiles;
  if (flags.variables) options.variables = flags.variables;
  return { root, options, loaded: loadProject(fileSystemReader(root), options) };
}

/** The files to upload: what the project holds (the API makes the generated ones again). */
export function uploadFiles(loaded: LoadedProject): { path: string; content: string; mode: number }[] {
  return [...loaded.files.entries()]
    .filter(([, file]) => !file.generated)
    .map(([path, file]) => ({
      path,
      content: Buffer.from(file.content).toString('base64'),
      mode: file.mode,
    }));
}

/** `--var KEY=VALUE` flags → variables. */
export function parseVariableFlags(flags: string[] = []): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var "${flag}" is not KEY=VALUE`);
    variables[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return variables;
}
