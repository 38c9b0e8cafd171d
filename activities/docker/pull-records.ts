import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentFiles } from './agent-files.js';

// When this agent last pulled each image, for `pull_policy: daily | weekly | every_<duration>`: the
// daemon does not know when a tag was last refreshed, so the agent keeps it in its data directory.

export async function lastPulledAt(files: AgentFiles, image: string): Promise<number | undefined> {
  try {
    const record = JSON.parse(await readFile(files.pullRecord(image), 'utf8')) as { pulledAt?: string };
    const at = Date.parse(record.pulledAt ?? '');
    return Number.isNaN(at) ? undefined : at;
  } catch {
    // Never pulled here, or the record was lost: the policy then pulls, which is safe.
    return undefined;
  }
}

export async function recordPull(files: AgentFiles, image: string, at: number): Promise<void> {
  const path = files.pullRecord(image);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const scratch = `${path}.tmp-${process.pid}`;
  await writeFile(scratch, `${JSON.stringify({ image, pulledAt: new Date(at).toISOString() })}\n`);
  await rename(scratch, path);
}
