// How work that crosses Temporal proves where it comes from and where it may run (docs/security.md,
// "Signed and encrypted work"). The payload codec (lib/payload-codec.ts) signs and encrypts; these
// are the pure parts that workflow code and the processes share. Pure values: workflows import it.

/**
 * What the codec hands on in place of a payload it refuses (unsigned, signed by a key it does not
 * trust, not encrypted): `{"$graphiumRefused": "<why>"}`. Workflows and agents fail the work that
 * carries one, non-retryably, instead of running it.
 */
export const REFUSED_PAYLOAD_KEY = '$graphiumRefused';

/** The failure type of work refused for its signature or its binding: retrying cannot make it valid. */
export const UNSIGNED_WORK = 'UnsignedWork';

/** Why a value is a refused payload, or undefined when it is not one. */
export function refusalOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !(REFUSED_PAYLOAD_KEY in value)) return undefined;
  return String((value as Record<string, unknown>)[REFUSED_PAYLOAD_KEY]);
}

export function firstRefusal(values: readonly unknown[]): string | undefined {
  for (const value of values) {
    const refusal = refusalOf(value);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

/**
 * Added by the orchestrator's workflows as the last argument of every activity they schedule, and
 * signed with the others: the queue, run and step the work is for. A worker runs an activity only
 * when it names the worker's own queue and the very task it arrived as, so signed work cannot be
 * sent to another host, or replayed from an old history into a new run.
 */
export const WORK_BINDING_KEY = '$graphiumWork';

export interface WorkBinding {
  taskQueue: string;
  workflowId: string;
  runId: string;
  activityId: string;
  activityType: string;
}

export function workBindingOf(value: unknown): WorkBinding | undefined {
  if (typeof value !== 'object' || value === null || !(WORK_BINDING_KEY in value)) return undefined;
  const binding = (value as Record<string, unknown>)[WORK_BINDING_KEY] as Partial<WorkBinding> | undefined;
  const fields = ['taskQueue', 'workflowId', 'runId', 'activityId', 'activityType'] as const;
  return binding && fields.every((field) => typeof binding[field] === 'string')
    ? (binding as WorkBinding)
    : undefined;
}

/**
 * Carried in the first argument of every workflow the API or the orchestrator starts, and signed with
 * it: which workflow type and ID the input was made for, for which deployment and stack, and until
 * when it may start. The codec's signature already ties the input to its namespace and workflow ID;
 * this also ties it to the type (a deploy's input cannot be started as a delete) and to a window
 * (an old input cannot be started again later under its old ID). A replay inside the window, as
 * the same type and ID, finds its deployment row already claimed (control `operationStarted`).
 */
export const START_BINDING_KEY = 'startBinding';

export interface StartBinding {
  workflowType: string;
  workflowId: string;
  deploymentId: string | null;
  stack: string | null;
  /** ISO time; a run that Temporal started later is refused. */
  expiresAt: string;
}

/** How long a signed input may wait to be started: a start is sent right after it is signed. */
export const START_BINDING_TTL_MS = 15 * 60_000;

/** The patch id that turns the start checks on: runs recorded before them replay without them. */
export const START_BINDING_PATCH = 'start-binding';

/** The marker a reset run records where it refuses to schedule work (workflows/interceptors.ts). */
export const RESET_RUN_PATCH = 'reset-run-refused';

/**
 * Frozen pre-kit type started only as a child of a frozen deploy already in flight (which itself
 * was started before bindings existed): it needs a parent, never a binding. No binding is issued for
 * any frozen type, so none of them can be started anew from outside.
 */
export const CHILD_ONLY_WORKFLOW_TYPES: readonly string[] = ['hostDeployWorkflow'];

/**
 * Types that take no input at all, so there is nothing to sign or replay: the reconcile schedule's
 * action (a schedule cannot sign per-start input); it only starts bound operations itself.
 */
export const INPUTLESS_WORKFLOW_TYPES: readonly string[] = ['reconcileStacksWorkflow'];

export function startBinding(
  target: Omit<StartBinding, 'expiresAt'>,
  now: number = Date.now(),
): { [START_BINDING_KEY]: StartBinding } {
  return {
    [START_BINDING_KEY]: { ...target, expiresAt: new Date(now + START_BINDING_TTL_MS).toISOString() },
  };
}

export function startBindingOf(value: unknown): StartBinding | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const binding = (value as Record<string, unknown>)[START_BINDING_KEY] as Partial<StartBinding> | undefined;
  if (typeof binding !== 'object' || binding === null) return undefined;
  const strings = ['workflowType', 'workflowId', 'expiresAt'] as const;
  const nullable = ['deploymentId', 'stack'] as const;
  return strings.every((field) => typeof binding[field] === 'string') &&
    nullable.every((field) => binding[field] === null || typeof binding[field] === 'string')
    ? (binding as StartBinding)
    : undefined;
}

/** What the workflow knows of its own start (from workflowInfo(), deterministic). */
export interface StartFacts {
  workflowType: string;
  workflowId: string;
  startTime: Date;
  hasParent: boolean;
}

/** Why these arguments may not start this workflow, or undefined when they may. */
export function startRefusal(args: readonly unknown[], start: StartFacts): string | undefined {
  if (INPUTLESS_WORKFLOW_TYPES.includes(start.workflowType)) {
    return args.length === 0 ? undefined : `${start.workflowType} takes no input`;
  }
  if (CHILD_ONLY_WORKFLOW_TYPES.includes(start.workflowType)) {
    return start.hasParent ? undefined : `${start.workflowType} is only started by its parent workflow`;
  }
  const input = args[0];
  const binding = startBindingOf(input);
  if (!binding) return 'it carries no start binding (every start the API or the orchestrator signs has one)';
  if (binding.workflowType !== start.workflowType) {
    return `it was signed to start ${binding.workflowType}, not ${start.workflowType}`;
  }
  if (binding.workflowId !== start.workflowId) {
    return `it was signed to start workflow ${binding.workflowId}, not ${start.workflowId}`;
  }
  const fields = input as Record<string, unknown>;
  for (const field of ['deploymentId', 'stack'] as const) {
    if (field in fields && fields[field] !== binding[field]) {
      return `its ${field} is not the one its start binding names`;
    }
  }
  const expiresAt = Date.parse(binding.expiresAt);
  if (!(expiresAt >= start.startTime.getTime())) {
    return `its start binding expired at ${binding.expiresAt}, before this run started (${start.startTime.toISOString()})`;
  }
  return undefined;
}
