import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in the data directory that keeps the generated dev admin token across restarts. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token of `npm run dev`: GRAPHIUM_ADMIN_TOKEN when given, else the one generated on the
 * first start and kept (owner-only) in the data directory, so tokens pasted into a shell keep working.
 */
export function devAdminToken(dataDir: string, given: string | undefined): { token: string; source: string } {
  if (given) return { token: given, source: 'GRAPHIUM_ADMIN_TOKEN' };
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length < 16) throw new Error(`${file} holds no usable token (16+ characters); delete it`);
    // Someone may have copied the data directory around; the secret stays owner-only.
    chmodSync(file, 0o600);
    return { token, source: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(32).toString('hex');
  // `wx`: two dev processes racing on a fresh directory must not overwrite each other's token.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, source: `${file} (new)` };
}
