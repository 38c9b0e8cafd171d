import { and, desc, eq, isNull } from 'drizzle-orm';
import type { TokenRole } from '../../contracts/vocabulary.js';
import type { Database } from '../client.js';
import { type ApiTokenRow, apiTokens } from '../schema.js';

export interface NewToken {
  name: string;
  role: TokenRole;
  /** SHA-256 hex of the secret; the secret itself never reaches the database. */
  tokenHash: string;
  createdBy: string;
}

export async function insertToken(db: Database, token: NewToken): Promise<ApiTokenRow> {
  const [row] = await db.insert(apiTokens).values(token).returning();
  return row!;
}

/** Revoked tokens are returned too, so the caller can tell them apart from unknown ones if it wants to. */
export async function findTokenByHash(db: Database, tokenHash: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);
  return row;
}

export async function getToken(db: Database, id: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return row;
}

export function listTokens(db: Database): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt), apiTokens.id);
}

/** Idempotent: revoking a revoked token keeps its first revocation time. */
export async function revokeToken(
  db: Database,
  id: string,
  at = new Date(),
): Promise<ApiTokenRow | undefined> {
  await db
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
  return getToken(db, id);
}

export async function touchToken(db: Database, id: string, at: Date): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
}
