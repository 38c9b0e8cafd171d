import { UsageError } from './exit-codes.js';

// The CLI's only reader of process.env: flags win over the environment, and both are checked here
// once, so a missing token or a malformed URL is a usage error (exit 2) before any request is sent.

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export interface CliConfig {
  /** The API origin (or a path prefix before `/api/v1`), without a trailing slash. */
  apiUrl: string;
  token: string;
}

export interface ConfigFlags {
  apiUrl?: string;
  token?: string;
}

/** An empty variable counts as unset, as it does for the server processes. */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const apiUrl = flags.apiUrl ?? fromEnv(env, 'GRAPHIUM_API_URL') ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UsageError(
      `the API URL ${JSON.stringify(apiUrl)} is not a URL (--api-url or GRAPHIUM_API_URL)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the API URL must be http:// or https://, not ${url.protocol}`);
  }
  const token = flags.token ?? fromEnv(env, 'GRAPHIUM_TOKEN');
  if (!token) {
    throw new UsageError('no API token: pass --token or set GRAPHIUM_TOKEN');
  }
  // Accept both `http://host:3000` and `http://host:3000/api/v1`; the client appends /api/v1 itself.
  const base = url
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '');
  return { apiUrl: base, token };
}

export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !fromEnv(env, 'NO_COLOR');
}
