import { type ClientResponse, hc, type InferRequestType, type InferResponseType } from 'hono/client';
import type { AppType } from '../api/app.js';
import type { TokenRole } from '../contracts/vocabulary.js';
import type { CliConfig } from './config.js';

// The API client, typed from the API's own routes (Hono's RPC client over `AppType`): a route that
// changes its path, input or answer breaks this file's typecheck, so the CLI cannot drift from the
// server. Every non-2xx answer becomes an ApiRequestError carrying the API's `{error: {code, message}}`.

type V1 = ReturnType<typeof hc<AppType>>['api']['v1'];

/** The answers the CLI reads, each as the route declares it. */
export type Host = InferResponseType<V1['hosts']['$get'], 200>['items'][number];
export type RegisteredHost = InferResponseType<V1['hosts']['$post'], 201>;
export type StackSummary = InferResponseType<V1['stacks']['$get'], 200>['items'][number];
export type Stack = InferResponseType<V1['stacks']['$post'], 201>;
export type Deployment = InferResponseType<V1['deployments'][':id']['$get'], 200>;
export type ContainerProgress = Deployment['containers'][number];
export type StartedOperation = InferResponseType<V1['stacks'][':id']['operations'][':type']['$post'], 202>;
/** The JSON body of a stack write, as the API declares it. */
export type StackWrite = Exclude<InferRequestType<V1['stacks']['$post']>['json'], undefined>;
export type CreatedToken = InferResponseType<V1['tokens']['$post'], 201>;

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

export interface OperationRequest {
  /** Types that place a version (deploy, canary…): the stack version; default the current one. */
  version?: number;
  /** The type's options (GET /operation-types has their schema). */
  options?: Record<string, unknown>;
  /** Makes a repeated request start nothing new: the API answers with the deployment it started first. */
  idempotencyKey?: string;
}

/** The success half of a typed response: what `json()` of a 2xx answer holds. */
type Ok<R> =
  R extends ClientResponse<unknown, infer S, infer F>
    ? S extends 200 | 201 | 202 | 204
      ? R & ClientResponse<Extract<R, { status: S }> extends ClientResponse<infer T> ? T : never, S, F>
      : never
    : never;

export class ApiClient {
  private readonly v1: V1;

  constructor(
    private readonly config: CliConfig,
    fetchFn: typeof fetch = fetch,
  ) {
    this.v1 = hc<AppType>(config.apiUrl, {
      fetch: fetchFn,
      headers: { authorization: `Bearer ${config.token}`, accept: 'application/json' },
    }).api.v1;
  }

  async listHosts() {
    return (await this.ok(this.v1.hosts.$get())).json();
  }

  async createHost(body: { id: string; name?: string; labels?: Record<string, string> }) {
    return (await this.ok(this.v1.hosts.$post({ json: body }))).json();
  }

  async listStacks() {
    return (await this.ok(this.v1.stacks.$get())).json();
  }

  /** One document (`compose`, YAML text stored as written) or a whole project's files (`project`). */
  async createStack(body: StackWrite) {
    return (await this.ok(this.v1.stacks.$post({ query: {}, json: body }))).json();
  }

  async getStack(idOrName: string) {
    return (await this.ok(this.v1.stacks[':id'].$get({ param: { id: idOrName } }))).json();
  }

  async getStackVersion(idOrName: string, version: number) {
    return (
      await this.ok(
        this.v1.stacks[':id'].versions[':version'].$get({
          param: { id: idOrName, version: String(version) },
        }),
      )
    ).json();
  }

  async updateStack(idOrName: string, body: Omit<StackWrite, 'name'>) {
    return (
      await this.ok(this.v1.stacks[':id'].$put({ param: { id: idOrName }, query: {}, json: body }))
    ).json();
  }

  /**
   * Starts an operation of any type (deploy, stop, start, delete, canary…); the API answers 202 at
   * once and the workflow runs on. With an idempotency key, a request whose answer was lost on the
   * network is sent once more: the API then answers with the deployment the first one started
   * instead of starting another.
   */
  async startOperation(
    stack: string,
    type: string,
    request: OperationRequest = {},
  ): Promise<StartedOperation> {
    const send = async () =>
      (
        await this.ok(
          this.v1.stacks[':id'].operations[':type'].$post({
            param: { id: stack, type },
            header: { 'idempotency-key': request.idempotencyKey },
            json: { version: request.version, options: request.options },
          }),
        )
      ).json();
    try {
      return await send();
    } catch (error) {
      if (!request.idempotencyKey || !(error instanceof ApiRequestError) || error.status !== 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return send();
    }
  }

  async getDeployment(id: string, signal?: AbortSignal) {
    return (
      await this.ok(this.v1.deployments[':id'].$get({ param: { id } }, { init: { signal } }), signal)
    ).json();
  }

  async listDeployments(stackId?: string) {
    return (await this.ok(this.v1.deployments.$get({ query: { stackId } }))).json();
  }

  async createToken(name: string, role: TokenRole) {
    return (await this.ok(this.v1.tokens.$post({ json: { name, role } }))).json();
  }

  async listOperationTypes() {
    return (await this.ok(this.v1['operation-types'].$get())).json();
  }

  /** An action on a running deployment (promote, abort, resume, rollback): answers with the deployment after it. */
  async takeAction(deploymentId: string, action: string, input: Record<string, unknown> = {}) {
    return (
      await this.ok(
        this.v1.deployments[':id'].actions[':action'].$post({
          param: { id: deploymentId, action },
          json: input,
        }),
      )
    ).json();
  }

  async cancelDeployment(deploymentId: string) {
    return (await this.ok(this.v1.deployments[':id'].cancel.$post({ param: { id: deploymentId } }))).json();
  }

  async putRegistry(body: { host: string; username: string; password: string }) {
    return (await this.ok(this.v1.registries.$post({ json: body }))).json();
  }

  async listRegistries() {
    return (await this.ok(this.v1.registries.$get())).json();
  }

  async removeRegistry(host: string): Promise<void> {
    await this.ok(this.v1.registries[':host'].$delete({ param: { host } }));
  }

  async getVariables(stack: string) {
    return (await this.ok(this.v1.stacks[':id'].variables.$get({ param: { id: stack } }))).json();
  }

  async putVariables(stack: string, variables: Record<string, string>) {
    return (
      await this.ok(this.v1.stacks[':id'].variables.$put({ param: { id: stack }, json: { variables } }))
    ).json();
  }

  /** What the last reconcile found on the stack's hosts. */
  async getDrift(stack: string) {
    return (await this.ok(this.v1.stacks[':id'].drift.$get({ param: { id: stack } }))).json();
  }

  /** `repair`, `report`, or null to follow the Compose file. */
  async setReconcileMode(stack: string, mode: 'report' | 'repair' | null) {
    return (
      await this.ok(this.v1.stacks[':id'].reconcile.$put({ param: { id: stack }, json: { mode } }))
    ).json();
  }

  /** Opens the Server-Sent Events stream of a deployment; the caller reads and closes the body. */
  async openDeploymentEvents(id: string, signal: AbortSignal): Promise<Response> {
    const response = await this.ok(
      this.v1.deployments[':id'].events.$get(
        { param: { id } },
        { headers: { accept: 'text/event-stream' }, init: { signal } },
      ),
      signal,
    );
    return response as unknown as Response;
  }

  /** Waits for the answer: a 2xx comes back typed, anything else (or no answer) throws ApiRequestError. */
  private async ok<R extends ClientResponse<unknown>>(
    pending: Promise<R>,
    signal?: AbortSignal,
  ): Promise<Ok<R>> {
    let response: R;
    try {
      response = await pending;
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiRequestError(
        0,
        'unreachable',
        `cannot reach the API at ${this.config.apiUrl}: ${describeFetchError(error)}`,
      );
    }
    if (response.ok) return response as Ok<R>;
    throw await toApiRequestError(response, `${new URL(response.url).pathname}`);
  }
}

/** Reads `{error: {code, message, details}}`; a body of another shape (a proxy's page) still says something. */
async function toApiRequestError(response: ClientResponse<unknown>, what: string): Promise<ApiRequestError> {
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
