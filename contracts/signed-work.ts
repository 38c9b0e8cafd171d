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
