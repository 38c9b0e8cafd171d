import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { RolePolicy } from '../../compose/index.js';
import type { Role } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import type { Keyring } from '../../lib/encryption.js';
import type { Logger } from '../../lib/log.js';
import type { GraphiumPayloadCodec } from '../../lib/payload-codec.js';
import type { DeploymentWatchers } from '../routes/deployments/deployment-watchers.js';
import type { StreamLimit } from '../routes/deployments/stream-limit.js';
import type { TokenLiveness } from '../routes/deployments/token-liveness.js';
import type { RateLimits } from './rate-limit.js';

/** Everything the handlers need, built by the entry point (or a test) and injected into every request. */
export interface AppDeps {
  db: Database;
  temporal: Client;
  /** The Temporal address the API itself uses; shown in the agent command of a newly registered host. */
  temporalAddress: string;
  /** The bootstrap admin secret (`GRAPHIUM_ADMIN_TOKEN`); compared by digest, never logged. */
  adminToken: string;
  /** Seals secrets at rest (bundle secret files, stack variables, registry passwords). */
  keyring: Keyring;
  namespace: string;
  /** How long a task may wait in a host's queue before the host counts as offline (`GRAPHIUM_AGENT_PICKUP_TIMEOUT`). */
  pickupTimeout: string;
  /** Failed-authentication and mutation limits; DEFAULT_RATE_LIMITS when not given (tests). */
  rateLimits?: RateLimits;
  /** Open event streams one token may hold at once (`GRAPHIUM_MAX_STREAMS_PER_TOKEN`); default 32. */
  maxStreamsPerToken?: number;
  /** The Temporal Web UI (`TEMPORAL_UI_URL`), which the dashboard links each operation's run to. */
  temporalUiUrl?: string | undefined;
  /** Who may use which Compose keys (GRAPHIUM_COMPOSE_POLICY); the policy table's defaults when unset. */
  composePolicy?: RolePolicy | undefined;
  /** Stack names refused besides the built-in ones (GRAPHIUM_RESERVED_STACK_NAMES). */
  reservedStackNames?: string[] | undefined;
  /** Opens Temporal payloads for the codec endpoint (GRAPHIUM_PAYLOAD_KEYS); decrypts only. */
  payloadCodec: GraphiumPayloadCodec;
  log: Logger;
}

/** Live deployment feeds of one API process: the shared watchers and the per-token stream count. */
export interface DeploymentFeeds {
  watchers: DeploymentWatchers;
  streams: StreamLimit;
  /** Ends a stream whose token is revoked while it is open. */
  liveness: TokenLiveness;
}

/** Who is calling: a stored API token, or the bootstrap admin token (which has no row, so no id). */
export interface Principal {
  name: string;
  role: Role;
  tokenId: string | null;
  /**
   * A token of role `codec`: authenticate lets it reach the codec endpoint and nothing else, so `role`
   * (viewer, the lowest) is never what grants it anything.
   */
  codecOnly?: true;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    feeds: DeploymentFeeds;
    principal: Principal | undefined;
    /** Set by handlers that know the resource a mutation touched, for the audit log. */
    auditTarget: string | undefined;
    /** Set by a read that returns secret values (stack variables): it is audited like a change. */
    auditRead: boolean | undefined;
    /** Small, secret-free facts for the audit log (a role, a version); never request bodies. */
    auditDetails: Record<string, unknown> | undefined;
    /** The `error.code` of the response, set wherever an error body is written. */
    errorCode: string | undefined;
  };
}

export type AppRouter = OpenAPIHono<AppEnv>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
