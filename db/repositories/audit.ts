import { and, between, desc, eq, inArray, or, sql } from 'drizzle-orm';
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
  filter: {
    limit: number;
    actor?: string | undefined;
    /**
     * Entries about the stack: its id as target, or its name (a request refused before the stack was
     * looked up records the path as given), or its id in the details (a cancel of one of its operations).
     */
    stack?: { id: string; name: string } | undefined;
    /** HTTP statuses from..to, inclusive. */
    status?: { from: number; to: number } | undefined;
  },
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        filter.actor === undefined ? undefined : eq(auditLog.actor, filter.actor),
        filter.stack === undefined
          ? undefined
          : or(
              inArray(auditLog.target, [filter.stack.id, filter.stack.name]),
              sql`${auditLog.details}->>'stackId' = ${filter.stack.id}`,
            ),
        filter.status === undefined
          ? undefined
          : between(auditLog.status, filter.status.from, filter.status.to),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}
