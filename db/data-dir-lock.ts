import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is a single-process database: two processes opening one data directory corrupt it.
 * A pid file makes the second one fail with a message instead. A stale file (dead pid) is taken over.
 */
export function acquireDataDirLock(dir: string): () => void {
  const lockFile = join(dir, 'graphium.lock');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `the embedded database in ${dir} is in use by process ${holder}; run api and orchestrator together ` +
          '(`npm run dev`) or give both a DATABASE_URL',
      );
    }
    writeFileSync(lockFile, String(process.pid));
  }
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
