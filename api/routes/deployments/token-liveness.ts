import type { Database } from '../../../db/client.js';
import { getToken } from '../../../db/repositories/tokens.js';

/** How often an open event stream asks whether its token was revoked; a revoke ends it within this. */
export const revocationTiming = { checkMs: 2_000 };

/**
 * Whether stored tokens are still valid, for streams that outlive the request that authenticated them.
 * Read from the database (a revoke may come through another API process), at most once per token per
 * interval however many streams it holds.
 */
export class TokenLiveness {
  private readonly checks = new Map<string, { at: number; live: Promise<boolean> }>();

  constructor(private readonly db: Database) {}

  isLive(tokenId: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.checks.get(tokenId);
    if (cached && now - cached.at < revocationTiming.checkMs) return cached.live;
    // A failed look-up (the database away for a moment) keeps the stream: the next check decides.
    const live = getToken(this.db, tokenId).then(
      (row) => row !== undefined && !row.revokedAt,
      () => true,
    );
    this.checks.set(tokenId, { at: now, live });
    return live;
  }
}
