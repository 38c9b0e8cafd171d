import { type ClientResponse, hc, type InferResponseType } from 'hono/client';
import type { AppType } from '../../../api/app.js';

// The dashboard's API client, typed from the API's own routes as the CLI's is (Hono's `hc` over
// AppType): a route that changes its path, input or answer breaks `npm run typecheck` here, so the
// pages cannot drift from the server. Routes that do not exist yet (operation types, actions, issue
// 11) go through `request`, typed by hand below, and each page shows them only once they answer.

type V1 = ReturnType<typeof hc<AppType>>['api']['v1'];

export type Me = InferResponseType<V1['me']['$get'], 200>;
export type Host = InferResponseType<V1['hosts']['$get'], 200>['items'][number];
export type StackSummary = InferResponseType<V1['stacks']['$get'], 200>['items'][number];
export type Stack = InferResponseType<V1['stacks'][':id']['$get'], 200>;
export type StackVersion = InferResponseType<V1['stacks'][':id']['versions'][':version']['$get'], 200>;
export type PlacedContainer = InferResponseType<V1['containers']['$get'], 200>['items'][number];
export type StackDrift = InferResponseType<V1['stacks'][':id']['drift']['$get'], 200>;
export type AuditEntry = InferResponseType<V1['audit']['$get'], 200>['items'][number];
export type StartedOperation = InferResponseType<V1['stacks'][':id']['deploy']['$post'], 202>;
type DeploymentRecord = InferResponseType<V1['deployments'][':id']['$get'], 200>;

/** What a running operation waits for (issue 11: canary's promote/abort, a paused rolling update's resume). */
export interface Awaiting {
  actions: (string | { name: string; description?: string })[];
  deadline: string | null;
}

/** The deployment JSON, with the fields later operation types add (`phase`, `awaiting`, a step's agent). */
export type Deployment = DeploymentRecord & {
  phase?: string | null;
  awaiting?: Awaiting | null;
  containers: (DeploymentRecord['containers'][number] & { agent?: string | null; step?: string | null })[];
};
export type ContainerProgress = Deployment['containers'][number];

/** `GET /operation-types` (issue 11): each registered workflow type with its options schema. */
export interface OperationType {
  name: string;
  description: string;
  role: Me['role'];
  options: JsonSchema;
  actions: { name: string; description: string; role: Me['role'] }[];
  /** Whether the type places a version (deploy, canary): only those take one. */
  placesVersion: boolean;
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

/** An answer other than 2xx, with the API's `{error: {code, message, details}}` when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

let token: string | null = null;
let onUnauthorized: (message: string) => void = () => {};

/** Set by the session: every call carries the token, and a 401 ends the session. */
export function setCredentials(value: string | null, unauthorized: (message: string) => void): void {
  token = value;
  onUnauthorized = unauthorized;
}

export function authorization(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export const api = hc<AppType>('/', { headers: () => authorization() }).api.v1;

/** The body of the 2xx answers among a route's declared answers. */
type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, infer _F>
    ? S extends 200 | 201 | 202 | 204
      ? T
      : never
    : never;

/** Unwraps a typed call: the JSON of a 2xx answer, or an ApiError. */
export async function ok<R extends ClientResponse<unknown, number, string>>(
  pending: Promise<R>,
): Promise<SuccessBody<R>> {
  const response = await pending.catch((error: unknown) => {
    throw new ApiError(0, 'unreachable', `cannot reach the API: ${(error as Error).message}`);
  });
  if (response.ok) return (await response.json()) as SuccessBody<R>;
  throw await toError(response as unknown as Response);
}

/** For routes the typed client does not know yet. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...authorization(), accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((error: unknown) => {
    throw new ApiError(0, 'unreachable', `cannot reach the API: ${(error as Error).message}`);
  });
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  throw await toError(response);
}

export async function toError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let error: ApiError;
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    error = new ApiError(
      response.status,
      body.error?.code ?? 'http_error',
      body.error?.message ?? `${response.status} ${response.statusText}`,
      body.error?.details,
    );
  } catch {
    error = new ApiError(response.status, 'http_error', `${response.status} ${response.statusText}`);
  }
  if (response.status === 401) onUnauthorized(error.message);
  return error;
}
