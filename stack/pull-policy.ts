// Compose's `pull_policy`, decided per image on each host. Pure: the workflow combines the policies of
// the services sharing an image, the agent decides with what its host holds.
import { pinsDigest } from './image-ref.js';
import type { PullPolicy } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export type PullDecision = 'pull' | 'keep' | 'refuse';

/**
 * Whether to pull, given what the host holds. `refresh` is `deploy --pull`. A digest-pinned reference
 * never changes, so one that is present is never pulled again. `refuse`: absent under `never`.
 */
export function decidePull(input: {
  image: string;
  policy?: PullPolicy;
  refresh?: boolean;
  present: boolean;
  /** When this host last pulled the image (epoch ms), if it did. */
  lastPulledAt?: number;
  now: number;
}): PullDecision {
  const { policy = 'missing', present } = input;
  if (!present) return policy === 'never' ? 'refuse' : 'pull';
  if (pinsDigest(input.image)) return 'keep';
  if (input.refresh || policy === 'always') return 'pull';
  const everyMs = intervalMs(policy);
  if (everyMs === undefined) return 'keep';
  return input.lastPulledAt === undefined || input.now - input.lastPulledAt >= everyMs ? 'pull' : 'keep';
}

/** The refresh interval of `daily`, `weekly` and `every_<duration>`. */
export function intervalMs(policy: PullPolicy): number | undefined {
  if (policy === 'daily') return DAY_MS;
  if (policy === 'weekly') return 7 * DAY_MS;
  if (typeof policy === 'object') return policy.everyMs;
  return undefined;
}

/**
 * One policy for an image several services share: the most eager wins (always, then the shortest
 * interval, then missing, then never), so no service runs an image older than its own policy allows.
 * `build` is a build's policy: for a pull it means `missing`.
 */
export function combinePolicies(policies: (PullPolicy | undefined)[]): PullPolicy | undefined {
  const rank = (policy: PullPolicy | undefined): number => {
    if (policy === 'always') return Number.POSITIVE_INFINITY;
    const every = policy === undefined ? undefined : intervalMs(policy);
    if (every !== undefined) return 1 / every;
    if (policy === 'never') return -1;
    return 0;
  };
  const eager = policies.reduce((a, b) => (rank(b) > rank(a) ? b : a), policies[0]);
  return eager === 'build' ? undefined : eager;
}
