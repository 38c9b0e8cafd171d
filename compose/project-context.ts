// What one load of a project shares across its steps: the reader, the variables, and the issues,
// warnings and bundle files found so far. Each step adds to it, so one load reports every problem.
import type { ComposeIssue } from './compose-errors.js';
import type { Lookup } from './interpolate.js';
import type { ProjectReader } from './project-reader.js';
import { RolePolicy } from './role-policy.js';

export interface BundleEntry {
  content: Uint8Array;
  mode: number;
  secret: boolean;
  /** Made by Graphium (a secret from `environment:`, an inline Dockerfile), not read from the project. */
  generated?: boolean;
}

export class ProjectContext {
  readonly errors: ComposeIssue[] = [];
  readonly warnings: ComposeIssue[] = [];
  readonly adminOnly: ComposeIssue[] = [];
  readonly files = new Map<string, BundleEntry>();
  private readonly warned = new Set<string>();

  constructor(
    readonly reader: ProjectReader,
    /** The project's variables: stack variables over env files. */
    readonly lookup: Lookup,
    /** How many Compose files the project has, so issues name their file only when it helps. */
    readonly fileCount: number,
    /** Who may use which keys: the policy table's defaults, or this installation's GRAPHIUM_COMPOSE_POLICY. */
    readonly policy: RolePolicy = RolePolicy.defaults,
  ) {}

  /** A key that needs role admin here; one entry per key path. */
  requireAdmin(path: string, message: string): void {
    if (!this.adminOnly.some((issue) => issue.path === path)) this.adminOnly.push({ path, message });
  }

  /**
   * A use of a table key that the table allows to admins only (`byDefault`): listed in adminOnly
   * unless the installation's policy opens this key, or this value of it, to deployers.
   */
  hostAccess(path: string, key: string, value: string | undefined, message: string, byDefault = true): void {
    if (this.policy.needsAdmin(key, value, byDefault)) this.requireAdmin(path, message);
  }

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** Warnings are said once: the same unset variable in ten places is one thing to fix. */
  warn(path: string, message: string, onceKey = `${path}\n${message}`): void {
    if (this.warned.has(onceKey)) return;
    this.warned.add(onceKey);
    this.warnings.push({ path, message });
  }

  /** Puts a project file into the bundle; false when it does not exist. */
  addFile(path: string, secret = false): boolean {
    const existing = this.files.get(path);
    if (existing) {
      if (secret) existing.secret = true;
      return true;
    }
    const file = this.reader.read(path);
    if (!file) return false;
    this.files.set(path, { content: file.content, mode: file.mode, secret });
    return true;
  }

  /** A file Graphium generates (a secret from `environment:`, an inline Dockerfile). */
  addGenerated(path: string, content: string, secret: boolean): void {
    this.files.set(path, {
      content: new TextEncoder().encode(content),
      mode: secret ? 0o600 : 0o644,
      secret,
    });
  }
}
