import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { BundleManifest } from '../../stack/types.js';
import { BUNDLE_INVALID } from '../../workflows/errors.js';
import { type AgentFiles, projectRelative } from './agent-files.js';
import type { BundleFileContent, MaterializeBundleInput, MaterializeBundleResult } from './types.js';

// A stack version's files on this host. Contents arrive once per digest (blobs/), whatever stack or
// version they belong to; each version is then laid out as its own read-only tree, built aside and
// renamed into place, so a container never sees half a bundle and a retried step finds it done.

/** Files and directories the agent keeps to itself: the daemon (root) reads them, other users do not. */
const PRIVATE_DIR = 0o700;

const exists = (path: string) =>
  access(path, constants.F_OK).then(
    () => true,
    () => false,
  );

const sha256 = (content: Uint8Array) => createHash('sha256').update(content).digest('hex');

/** A name no concurrent attempt can share, for files and trees built aside before their rename. */
const scratchName = (what: string) => `.tmp-${what}-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Lays out the bundle under `stacks/<stack>/bundles/<digest>/`, or says which file contents this
 * host lacks (then nothing is written: the workflow sends them and asks again).
 */
export async function materializeBundle(
  files: AgentFiles,
  { stack, manifest }: MaterializeBundleInput,
): Promise<MaterializeBundleResult> {
  const target = files.bundleDir(stack, manifest.digest);
  if (await exists(target)) return { missing: [] };
  const missing: string[] = [];
  for (const digest of new Set(manifest.files.map((file) => file.digest))) {
    if (!(await exists(files.blob(digest)))) missing.push(digest);
  }
  if (missing.length > 0) return { missing };
  await mkdir(files.stackDir(stack), { recursive: true, mode: PRIVATE_DIR });
  await chmod(files.stackDir(stack), PRIVATE_DIR);
  const scratch = join(files.bundlesDir(stack), scratchName(manifest.digest));
  try {
    await layOut(files, manifest, scratch);
    await rename(scratch, target);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    // Another attempt (a retry that overlapped this one) put the same tree in place first.
    if (await exists(target)) return { missing: [] };
    throw error;
  }
  return { missing: [] };
}

async function layOut(files: AgentFiles, manifest: BundleManifest, dir: string): Promise<void> {
  // Directories stay traversable: a bundle directory mounted into a container is read by its user.
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const file of manifest.files) {
    const path = join(dir, projectRelative(file.path));
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await copyFile(files.blob(file.digest), path);
    // Permission bits only: a root-owned setuid file must not reach containers through a bind.
    await chmod(path, file.mode & 0o777);
  }
}

/**
 * Stores file contents the workflow sent, each checked against its digest first. A file larger
 * than one message arrives in slices (`offset`, `size`), written in place and checked once the
 * last byte is there. Storing a content already held is a no-op.
 */
export async function storeBundleFiles(
  files: AgentFiles,
  input: { files: BundleFileContent[] },
): Promise<{ stored: number }> {
  await mkdir(files.blobsDir, { recursive: true, mode: PRIVATE_DIR });
  let stored = 0;
  for (const file of input.files) {
    const path = files.blob(file.digest);
    if (await exists(path)) continue;
    const content = Buffer.from(file.base64, 'base64');
    if (file.offset === undefined) {
      if (sha256(content) !== file.digest) throw corrupt(file.digest);
      await writeAtomically(path, content);
      stored++;
    } else if (await storeSlice(path, file, content)) stored++;
  }
  return { stored };
}

/** Writes one slice; true once the file is complete, checked and in place. */
async function storeSlice(path: string, file: BundleFileContent, content: Buffer): Promise<boolean> {
  const partial = `${path}.part`;
  const handle = await open(partial, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    await handle.write(content, 0, content.length, file.offset);
  } finally {
    await handle.close();
  }
  if ((file.offset ?? 0) + content.length < (file.size ?? 0)) return false;
  const whole = await readFile(partial);
  if (whole.length !== file.size || sha256(whole) !== file.digest) {
    // A slice went missing (the agent's disk was replaced mid-transfer): start over next deploy.
    await rm(partial, { force: true });
    throw new Error(`bundle file ${file.digest} arrived incomplete on this host; deploy again`);
  }
  await rename(partial, path);
  return true;
}

async function writeAtomically(path: string, content: Uint8Array): Promise<void> {
  const scratch = join(dirname(path), scratchName('blob'));
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR });
  const handle = await open(scratch, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(scratch, path);
}

function corrupt(digest: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: BUNDLE_INVALID,
    nonRetryable: true,
    message: `a bundle file sent for ${digest} does not match that digest`,
  });
}

/**
 * After a deploy commits: every bundle tree of the stack but the deployed one goes, with its copies
 * of secrets and configs (the containers that used them were replaced or removed with them).
 */
export async function pruneBundles(files: AgentFiles, stack: string, keep?: string): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of [files.bundlesDir(stack), files.fileMountsDir(stack)]) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) {
      if (entry === keep) continue;
      await rm(join(dir, entry), { recursive: true, force: true });
      removed.push(entry);
    }
  }
  return [...new Set(removed)];
}

/** Deleting the stack: its bundles, copies and data directories on this host. Blobs stay, shared. */
/** The stack's files on this host; its `data/` (stack-data mounts) too unless `keepData`. */
export async function removeStackFiles(
  files: AgentFiles,
  stack: string,
  { keepData }: { keepData: boolean },
): Promise<void> {
  if (!keepData) {
    await rm(files.stackDir(stack), { recursive: true, force: true });
    return;
  }
  for (const part of [files.bundlesDir(stack), files.fileMountsDir(stack)]) {
    await rm(part, { recursive: true, force: true });
  }
}
