import { desc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type AuditRow, auditLog } from '../schema.js';

export interface AuditEntry {
  /** A token name, `bootstrap-admin`, or `anonymous` when no valid token was sent. */
  actor: string;
  /** `<METHOD> <route pattern>`, e.g. `POST /api/v1/stacks` or `DELETE /api/v1/hosts/:id`. */
  action: string;
  /** The id of the resource acted on, when known. */
  target: string | null;
  status: number;
  details: Record<string, unknown>;
}

export async function insertAuditEntry(db: Database, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(entry);
}

/** Newest first. */
export function listAuditEntries(
  db: Database,
  filter: { limit: number; actor?: string | undefined },
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(filter.actor === undefined ? undefined : eq(auditLog.actor, filter.actor))
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}
