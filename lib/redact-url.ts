/**
 * A connection URL fit for logs and error messages: the password becomes `***`. Everything up to the
 * last `@` counts as user information, since a password may hold `@`, `:` or `/` unescaped; hiding too
 * much is the safe side.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('://');
  const at = url.lastIndexOf('@');
  if (start < 0 || at < start) return url;
  const userInfo = url.slice(start + 3, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return url;
  return `${url.slice(0, start + 3)}${userInfo.slice(0, colon)}:***${url.slice(at)}`;
}
