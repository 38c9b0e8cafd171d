// The words every part of Graphium shares. The API, the database schema, workflows, agents and the
// CLI import each list from here, so it is written once; the names marked public are contracts that
// outside clients and running hosts rely on (docs/architecture.md). Pure values: workflows import it.

/** API token roles. Roles nest: an admin may do what a deployer may, a deployer what a viewer may. */
export const roles = ['admin', 'deployer', 'viewer'] as const;
export type Role = (typeof roles)[number];
/**
 * What an API token may be made with: a role, or `codec`, which may only decode Temporal payloads
 * (`POST /api/v1/temporal-codec/decode`, for the Temporal UI) and reaches no other route.
 */
export const tokenRoles = [...roles, 'codec'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** Where a deployment (one operation on one stack) stands. */
export const deploymentStatuses = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** A stack has at most one deployment in these states (the database enforces it). */
export const activeDeploymentStatuses = ['pending', 'running'] as const satisfies readonly DeploymentStatus[];
/** Final: the record will not change again. */
export const terminalDeploymentStatuses = [
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
] as const satisfies readonly DeploymentStatus[];

export function isTerminalStatus(status: DeploymentStatus): boolean {
  return (terminalDeploymentStatuses as readonly DeploymentStatus[]).includes(status);
}

/**
 * The operations every stack has built in, each with a route and a CLI command of its own. More
 * arrive as workflow types (workflows/operations.ts): every one is an operation.
 */
export const builtInOperations = ['deploy', 'stop', 'start', 'delete'] as const;
export type BuiltInOperation = (typeof builtInOperations)[number];
/** The name of an operation type: a built-in one, or a registered workflow type such as `canary`. */
export type Operation = string;

/** The state of one container within an operation, as progress reports it. */
export const containerStates = [
  'pending',
  'pulling',
  'building',
  'creating',
  'starting',
  'running',
  'healthy',
  /** A one-shot container that exited 0, as a `service_completed_successfully` dependency must. */
  'completed',
  'unchanged',
  'stopping',
  'stopped',
  'removing',
  'removed',
  'failed',
  'compensated',
] as const;
export type ContainerState = (typeof containerStates)[number];

/**
 * What a reconcile finds wrong with one container of a stack (public: the drift API, the CLI, the
 * `GraphiumDrift` search attribute). `missing`: placed by the deployed version, absent; `changed`:
 * present with another definition (environment, image, command, config hash); `stopped`: present
 * but not running; `unexpected`: carries the stack's labels but is no part of the deployed version
 * on that host (a moved or surplus replica); `retired`: a `.retired-` leftover of a deploy that
 * never finished; `unknown-host`: on a host Graphium cannot inventory (not registered, or its
 * agent did not answer), so nobody can say what runs there.
 */
export const driftKinds = ['missing', 'changed', 'stopped', 'unexpected', 'retired', 'unknown-host'] as const;
export type DriftKind = (typeof driftKinds)[number];

/** What a reconcile does about drift: `report` records it; `repair` also deploys the deployed version again. */
export const reconcileModes = ['report', 'repair'] as const;
export type ReconcileMode = (typeof reconcileModes)[number];

/** How a stack's Compose document was sent, and so how it is stored and shown back. */
export const stackFormats = ['yaml', 'json'] as const;
export type StackFormat = (typeof stackFormats)[number];

// Task queues (public): outside agents and tools poll these exact names.

/** Workflows and control-plane activities (database writes) run here, on the orchestrator. */
export const ORCHESTRATOR_TASK_QUEUE = 'graphium-orchestrator';

/**
 * The Temporal Schedule that reconciles every stack (public: SREs pause or trigger it in the
 * Temporal UI); the orchestrator keeps it at GRAPHIUM_RECONCILE_INTERVAL, or removes it at 0.
 */
export const RECONCILE_SCHEDULE_ID = 'graphium-reconcile';

/** One queue per host: only that host's agent polls it, so Docker work lands where it belongs. */
export function hostTaskQueue(hostId: string): string {
  return `graphium-host-${hostId}`;
}

/**
 * One more queue per host, for liveness alone: the agent polls it with slots of its own, so it keeps
 * polling while every Docker slot is busy. Workflows decide "offline" from whether the agent picks a
 * liveness check up here, the API from the pollers Temporal reports on it; never from how long a
 * Docker step waited for a free slot.
 */
export function hostLivenessQueue(hostId: string): string {
  // Not `graphium-host-<id>-alive`: host `vm1-alive` would own that name as its Docker queue.
  return `graphium-alive-${hostId}`;
}

// Container labels (public): delete and rollback find containers by these on every host, so
// nothing is orphaned even when the database is behind. Never rename them.

export const LABEL_STACK = 'io.graphium.stack';
export const LABEL_SERVICE = 'io.graphium.service';
export const LABEL_REPLICA = 'io.graphium.replica';
export const LABEL_DEPLOYMENT = 'io.graphium.deployment';
export const LABEL_HOST = 'io.graphium.host';
export const LABEL_CONFIG_HASH = 'io.graphium.config-hash';

/** User labels may not use this prefix: a forged ownership label would let delete remove foreign containers. */
export const RESERVED_LABEL_PREFIX = 'io.graphium.';
