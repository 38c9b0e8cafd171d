/**
 * An unmatched path is recorded as sent, but a segment that may be a token (`gph_…`, or 24+ characters
 * of token alphabet, like a hex bootstrap token) is not: a client that puts a secret in a URL (as the
 * Temporal UI's codec endpoint once did) must not get it written to the audit log or the error log.
 */
export function redactTokens(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^gph_|^[A-Za-z0-9_~.%-]{24,}$/.test(segment) ? '<redacted>' : segment))
    .join('/');
}
