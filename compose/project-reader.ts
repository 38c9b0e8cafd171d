// How the loader sees a project: through a ProjectReader, never the file system, so the same code runs
// in the CLI (over a directory) and in the API (over the files a client uploaded). Paths are POSIX and
// relative to the project directory (the directory of the first Compose file).
import { posix } from 'node:path';

/** Reads the project's files; paths are POSIX, relative to the project directory. */
export interface ProjectReader {
  /** The file's bytes and mode, or undefined when there is no such file. */
  read(path: string): { content: Uint8Array; mode: number } | undefined;
  /** Whether a directory exists at path. */
  isDirectory(path: string): boolean;
  /** Every file under a directory, recursively, as project-relative paths. */
  list(dir: string): string[];
}

export interface ProjectFile {
  content: Uint8Array;
  mode: number;
}

/** A reader over files held in memory: what the API builds from an upload, and what tests use. */
export function memoryReader(files: Record<string, string | Uint8Array | ProjectFile>): ProjectReader {
  const entries = new Map<string, ProjectFile>();
  for (const [path, file] of Object.entries(files)) {
    const content = typeof file === 'string' ? new TextEncoder().encode(file) : file;
    const normalized = posix.normalize(path);
    entries.set(normalized, content instanceof Uint8Array ? { content, mode: 0o644 } : content);
  }
  const under = (dir: string) => {
    const prefix = dir === '.' || dir === '' ? '' : `${posix.normalize(dir)}/`;
    return [...entries.keys()].filter((path) => path.startsWith(prefix)).sort();
  };
  return {
    read: (path) => entries.get(posix.normalize(path)),
    isDirectory: (path) => under(path).length > 0 && !entries.has(posix.normalize(path)),
    list: under,
  };
}

/**
 * A project-relative path resolved against a directory of the project, or undefined when it leaves the
 * project (`../x`, `/etc/x`): such a file cannot travel to other hosts.
 */
export function projectPath(baseDir: string, path: string): string | undefined {
  if (posix.isAbsolute(path)) return undefined;
  const joined = posix.normalize(posix.join(baseDir, path));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined === '' ? '.' : joined;
}

/** `a/b/compose.yaml` → `a/b`; `compose.yaml` → `.`. */
export function directoryOf(path: string): string {
  return posix.dirname(path);
}

export const decodeText = (content: Uint8Array) => new TextDecoder().decode(content);
