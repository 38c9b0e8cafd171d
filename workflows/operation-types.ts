import type { StartBinding } from '../contracts/signed-work.js';
import type { RegistryCredential } from '../stack/image-ref.js';
import type { PlacedContainer, StackSpec } from '../stack/types.js';

/**
 * The one input shape of every stack operation workflow, built by the API's operation service.
 * `Options` is the type's own options (validated by the API against the type's schema).
 */
export interface StackOperationInput<Options = OperationOptions> {
  deploymentId: string;
  stackId: string;
  /** The stack name: container names, labels and search attributes use it. */
  stack: string;
  requestedBy: string;
  /** The stack version being deployed, or the one last deployed for stop/start/delete. */
  version: number | null;
  spec: StackSpec | null;
  /** Where each container goes (deploy) or is believed to run (stop/start/delete). */
  placements: PlacedContainer[];
  /** Every host the operation must visit: the plan's hosts and every host the stack was ever on. */
  hostIds: string[];
  /** Schedule-to-start bound: a host whose agent does not pick up work within it is offline. */
  pickupTimeout: string;
  options?: Options;
  /**
   * Credentials of the registries the stack's images come from (deploy). Agents get only the one of
   * each image's registry; builds get them all, for their base images.
   */
  registries?: RegistryCredential[];
  /**
   * Which start this input was signed for (contracts/signed-work.ts): added by the API as it starts
   * the workflow; a run whose input lacks it, or names another type, ID or deployment, is refused.
   * Absent only from runs recorded before it existed.
   */
  startBinding?: StartBinding;
}

/** The deploy options; other types declare their own (workflows/kit/operation-type.ts). */
export interface OperationOptions {
  /** Containers a host works on at once; keep it at or below the agent's concurrency. */
  maxParallelPerHost?: number;
  /** Without a healthcheck, how long a container must keep running to count as started. */
  settleMs?: number;
  /** `graphium deploy --pull`: pull every image again, even when a host holds its tag. */
  pull?: boolean;
}

export const DEFAULT_MAX_PARALLEL_PER_HOST = 8;
export const MAX_PARALLEL_PER_HOST = 64;
export const DEFAULT_SETTLE_MS = 2000;
