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
