import type {
  CreatedToken,
  Deployment,
  Host,
  List,
  RegisteredHost,
  Role,
  Stack,
  StackOperation,
  StackSummary,
  StartedOperation,
} from './api-types.js';
import type { CliConfig } from './config.js';

// A thin typed wrapper over fetch. Every non-2xx answer becomes an ApiRequestError carrying the
// API's own `{error: {code, message}}`, so commands never parse error bodies themselves.

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';

  constructor(
    /** The HTTP status; 0 when the API could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

interface RequestOptions {
  query?: Record<string, string | undefined>;
  json?: unknown;
  /** A raw body with its Content-Type (a Compose file as YAML). */
  text?: { body: string; contentType: string };
  signal?: AbortSignal;
  accept?: string;
  headers?: Record<string, string>;
}

export interface OperationRequest {
  /** deploy only: the stack version; default the current one. */
  version?: number;
  /** Makes a repeated request start nothing new: the API answers with the deployment it started first. */
  idempotencyKey?: string;
}

export class ApiClient {
  constructor(
    private readonly config: CliConfig,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  listHosts(): Promise<List<Host>> {
    return this.json('GET', '/hosts');
  }

  createHost(body: { id: string; name?: string; labels?: Record<string, string> }): Promise<RegisteredHost> {
    return this.json('POST', '/hosts', { json: body });
  }

  listStacks(): Promise<List<StackSummary>> {
    return this.json('GET', '/stacks');
  }

  createStack(yaml: string, name: string | undefined): Promise<Stack> {
    return this.json('POST', '/stacks', { query: { name }, text: yamlBody(yaml) });
  }

  updateStack(idOrName: string, yaml: string): Promise<Stack> {
    return this.json('PUT', `/stacks/${encodeURIComponent(idOrName)}`, { text: yamlBody(yaml) });
  }

  /**
   * Starts deploy, stop, start or delete; the API answers 202 at once and the workflow runs on.
   * With an idempotency key, a request whose answer was lost on the network is sent once more: the
   * API then answers with the deployment the first one started instead of starting another.
   */
  async startOperation(
    stack: string,
    operation: StackOperation,
    request: OperationRequest = {},
  ): Promise<StartedOperation> {
    const path = `/stacks/${encodeURIComponent(stack)}`;
    const headers: Record<string, string> = request.idempotencyKey
      ? { 'idempotency-key': request.idempotencyKey }
      : {};
    const send = () =>
      operation === 'delete'
        ? this.json<StartedOperation>('DELETE', path, { headers })
        : this.json<StartedOperation>('POST', `${path}/${operation}`, {
            headers,
            // Only deploy takes a body; stop and start take none.
            json:
              operation === 'deploy' && request.version !== undefined
                ? { version: request.version }
                : undefined,
          });
    try {
      return await send();
    } catch (error) {
      if (!request.idempotencyKey || !(error instanceof ApiRequestError) || error.status !== 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return send();
    }
  }

  getDeployment(id: string, signal?: AbortSignal): Promise<Deployment> {
    return this.json('GET', `/deployments/${encodeURIComponent(id)}`, { signal });
  }

  listDeployments(stackId?: string): Promise<List<Deployment>> {
    return this.json('GET', '/deployments', { query: { stackId } });
  }

  createToken(name: string, role: Role): Promise<CreatedToken> {
    return this.json('POST', '/tokens', { json: { name, role } });
  }

  /** Opens the Server-Sent Events stream of a deployment; the caller reads and closes the body. */
  openDeploymentEvents(id: string, signal: AbortSignal): Promise<Response> {
    return this.send('GET', `/deployments/${encodeURIComponent(id)}/events`, {
      signal,
      accept: 'text/event-stream',
    });
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Sends one request and returns a 2xx response; anything else throws ApiRequestError. */
  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(`${this.config.apiUrl}/api/v1${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.token}`,
      accept: options.accept ?? 'application/json',
      ...options.headers,
    };
    let body: string | undefined;
    if (options.text) {
      headers['content-type'] = options.text.contentType;
      body = options.text.body;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, body, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiRequestError(
        0,
        'unreachable',
        `cannot reach the API at ${this.config.apiUrl}: ${describeFetchError(error)}`,
      );
    }
    if (response.ok) return response;
    throw await toApiRequestError(response, `${method} ${url.pathname}`);
  }
}

function yamlBody(body: string) {
  return { body, contentType: 'application/yaml' };
}

/** Reads `{error: {code, message, details}}`; a body of another shape (a proxy's page) still says something. */
async function toApiRequestError(response: Response, what: string): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (parsed.error && typeof parsed.error.message === 'string') {
      return new ApiRequestError(
        response.status,
        String(parsed.error.code ?? 'error'),
        parsed.error.message,
        parsed.error.details,
      );
    }
  } catch {
    // not JSON: fall through to the status line
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiRequestError(
    response.status,
    'http_error',
    `${what} answered ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`,
  );
}

/** fetch hides the socket error (ECONNREFUSED, ENOTFOUND) in `cause`; that is the useful part. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
