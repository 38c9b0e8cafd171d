/** PostgreSQL's unique_violation (23505); PGlite uses the same code. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

/**
 * A value PostgreSQL cannot store, whoever sent it: a NUL character in text or JSON (22P05,
 * 22021) or a number beyond the column's type (22003). Always a client's value, since our own
 * are checked, so the API answers 400 instead of 500.
 */
export function isUnstorableValue(error: unknown): boolean {
  const code = sqlState(error);
  return code === '22P05' || code === '22021' || code === '22003';
}

/** The SQLSTATE of a database error: on the error (postgres.js, PGlite) or its cause (drizzle wraps). */
function sqlState(error: unknown): string | undefined {
  return (
    (error as { code?: string; cause?: { code?: string } })?.code ??
    (error as { cause?: { code?: string } })?.cause?.code
  );
}

/**
 * The database's own words for a failure. drizzle wraps errors as "Failed query: <sql>" and keeps
 * PostgreSQL's message (and SQLSTATE) in `cause`: that part says what went wrong, so it is shown.
 */
export function describeDatabaseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
  if (!cause?.message || message.includes(cause.message)) return message;
  const query = message.split('\n')[0]!.replace(/^Failed query: /, '');
  return `${cause.message}${cause.code ? ` (SQLSTATE ${cause.code})` : ''}; in query: ${query.slice(0, 200)}`;
}
