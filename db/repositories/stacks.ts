import { and, asc, desc, eq, isNull, or } from 'drizzle-orm';
import type { StackFormat } from '../../contracts/vocabulary.js';
import { canonicalJson } from '../../lib/digest.js';
import type { StackSpec } from '../../stack/types.js';
import type { Database } from '../client.js';
import {
  type StackProject,
  type StackRow,
  type StackVersionRow,
  type StackWarning,
  stacks,
  stackVersions,
} from '../schema.js';

export interface NewStackVersion {
  source: string;
  format: StackFormat;
  spec: StackSpec;
  createdBy: string;
  project?: StackProject;
  warnings?: StackWarning[];
}

export interface StackWithVersion {
  stack: StackRow;
  version: StackVersionRow;
}

export type VersionSummary = Pick<StackVersionRow, 'version' | 'createdAt' | 'createdBy'>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const live = isNull(stacks.deletedAt);

/** Undefined when a live stack already has that name (the partial unique index decides, so races are safe). */
export function createStack(
  db: Database,
  name: string,
  first: NewStackVersion,
): Promise<StackWithVersion | undefined> {
  return db.transaction(async (tx) => {
    const [stack] = await tx
      .insert(stacks)
      .values({ name, currentVersion: 1 })
      .onConflictDoNothing()
      .returning();
    if (!stack) return undefined;
    const [version] = await tx
      .insert(stackVersions)
      .values({ stackId: stack.id, version: 1, ...first })
      .returning();
    return { stack, version: version! };
  });
}

/** A live stack by id or by name: users type names, tools keep ids. */
export async function findLiveStack(db: Database, idOrName: string): Promise<StackRow | undefined> {
  const key = uuidPattern.test(idOrName)
    ? or(eq(stacks.id, idOrName.toLowerCase()), eq(stacks.name, idOrName))
    : eq(stacks.name, idOrName);
  const rows = await db.select().from(stacks).where(and(live, key)).limit(2);
  // A stack whose name looks like another stack's id loses to the id.
  return rows.find((row) => row.id === idOrName.toLowerCase()) ?? rows[0];
}

/**
 * A stack by id or name, deleted ones too (their deployments stay readable): the live stack of that
 * name first, else the most recently created one.
 */
export async function findStackAnyState(db: Database, idOrName: string): Promise<StackRow | undefined> {
  const live = await findLiveStack(db, idOrName);
  if (live) return live;
  const key = uuidPattern.test(idOrName) ? eq(stacks.id, idOrName.toLowerCase()) : eq(stacks.name, idOrName);
  const [row] = await db.select().from(stacks).where(key).orderBy(desc(stacks.createdAt)).limit(1);
  return row;
}

export function listLiveStacks(db: Database): Promise<StackWithVersion[]> {
  return db
    .select({ stack: stacks, version: stackVersions })
    .from(stacks)
    .innerJoin(
      stackVersions,
      and(eq(stackVersions.stackId, stacks.id), eq(stackVersions.version, stacks.currentVersion)),
    )
    .where(live)
    .orderBy(asc(stacks.name));
}

export async function getStackVersion(
  db: Database,
  stackId: string,
  version: number,
): Promise<StackVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(stackVersions)
    .where(and(eq(stackVersions.stackId, stackId), eq(stackVersions.version, version)))
    .limit(1);
  return row;
}

export function listStackVersions(db: Database, stackId: string): Promise<VersionSummary[]> {
  return db
    .select({
      version: stackVersions.version,
      createdAt: stackVersions.createdAt,
      createdBy: stackVersions.createdBy,
    })
    .from(stackVersions)
    .where(eq(stackVersions.stackId, stackId))
    .orderBy(asc(stackVersions.version));
}

/**
 * Adds version current+1 under a row lock, so two concurrent updates get consecutive numbers. A version
 * identical to the current one (same text and format, same loaded spec and files) creates nothing:
 * `created` is false. Undefined when the stack is gone (deleted meanwhile).
 */
export function addStackVersion(
  db: Database,
  stackId: string,
  next: NewStackVersion,
): Promise<(StackWithVersion & { created: boolean }) | undefined> {
  return db.transaction(async (tx) => {
    const [stack] = await tx
      .select()
      .from(stacks)
      .where(and(eq(stacks.id, stackId), live))
      .for('update');
    if (!stack) return undefined;
    const [current] = await tx
      .select()
      .from(stackVersions)
      .where(and(eq(stackVersions.stackId, stackId), eq(stackVersions.version, stack.currentVersion)));
    if (current && sameVersion(current, next)) {
      return { stack, version: current, created: false };
    }
    const versionNumber = stack.currentVersion + 1;
    const [version] = await tx
      .insert(stackVersions)
      .values({ stackId, version: versionNumber, ...next })
      .returning();
    const [updated] = await tx
      .update(stacks)
      .set({ currentVersion: versionNumber, updatedAt: version!.createdAt })
      .where(eq(stacks.id, stackId))
      .returning();
    return { stack: updated!, version: version!, created: true };
  });
}

/**
 * The spec covers the bundle (its manifest digest) and everything variables changed; the source and
 * project meta cover what the spec does not keep (comments, the files' order).
 */
function sameVersion(current: StackVersionRow, next: NewStackVersion): boolean {
  return (
    current.source === next.source &&
    current.format === next.format &&
    canonicalJson(current.spec) === canonicalJson(next.spec) &&
    canonicalJson(current.project) === canonicalJson(next.project ?? current.project)
  );
}
