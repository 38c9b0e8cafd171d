// `deploy:` and the resource keys beside it (`mem_limit`, `cpus`, `scale`...) → replicas, placement,
// resources, restart, update and rollback settings.
import type { ResourcesSpec, RestartSpec, UpdateConfigSpec } from '../stack/types.js';
import { type Parsed, parseConstraint, parseRestart } from './compose-syntax.js';
import type { ProjectContext } from './project-context.js';
import { parseBytes, parseCpus, parseDurationValue, parseInteger } from './values.js';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

export function take<T>(
  ctx: ProjectContext,
  path: string,
  value: unknown,
  parse: (v: unknown) => Parsed<T>,
): T | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = parse(value);
  if ('error' in parsed) {
    ctx.error(path, parsed.error);
    return undefined;
  }
  return parsed.value;
}

const MAX_REPLICAS = 1000;

export function replicasOf(ctx: ProjectContext, path: string, service: Mapping): number {
  const deploy = isMapping(service.deploy) ? service.deploy : {};
  const parseReplicas = (value: unknown) => {
    const n = parseInteger(value);
    return 'value' in n && n.value > MAX_REPLICAS
      ? { error: `must be a whole number from 0 to ${MAX_REPLICAS}` }
      : n;
  };
  const fromDeploy = take(ctx, `${path}.deploy.replicas`, deploy.replicas, parseReplicas);
  const fromScale = take(ctx, `${path}.scale`, service.scale, parseReplicas);
  if (fromDeploy !== undefined && fromScale !== undefined && fromDeploy !== fromScale) {
    ctx.error(`${path}.scale`, `scale (${fromScale}) and deploy.replicas (${fromDeploy}) disagree; set one`);
  }
  if (deploy.mode !== undefined && deploy.mode !== 'replicated') {
    ctx.error(
      `${path}.deploy.mode`,
      `mode "${deploy.mode}" is not supported: Graphium runs a replica count (replicated) on the hosts placement picks`,
    );
  }
  return fromScale ?? fromDeploy ?? 1;
}

export function constraintsOf(ctx: ProjectContext, path: string, service: Mapping) {
  const deploy = isMapping(service.deploy) ? service.deploy : {};
  const placement = isMapping(deploy.placement) ? deploy.placement : {};
  const list = Array.isArray(placement.constraints) ? placement.constraints : [];
  return list.flatMap((text, index) => {
    const parsed = take(ctx, `${path}.deploy.placement.constraints[${index}]`, String(text), (v) =>
      parseConstraint(String(v)),
    );
    return parsed ? [parsed] : [];
  });
}

export function restartOf(ctx: ProjectContext, path: string, service: Mapping): RestartSpec {
  if (service.restart !== undefined && service.restart !== null && service.restart !== '') {
    return take(ctx, `${path}.restart`, service.restart, (v) => parseRestart(String(v))) ?? { policy: 'no' };
  }
  const deploy = isMapping(service.deploy) ? service.deploy : {};
  const policy = isMapping(deploy.restart_policy) ? deploy.restart_policy : undefined;
  if (!policy) return { policy: 'no' };
  const condition = policy.condition ?? 'any';
  const names: Record<string, RestartSpec['policy']> = {
    none: 'no',
    'on-failure': 'on-failure',
    any: 'always',
  };
  const name = names[String(condition)];
  if (!name) {
    ctx.error(
      `${path}.deploy.restart_policy.condition`,
      `unsupported value "${condition}"; expected none, on-failure or any`,
    );
    return { policy: 'no' };
  }
  const restart: RestartSpec = { policy: name };
  const attempts = take(ctx, `${path}.deploy.restart_policy.max_attempts`, policy.max_attempts, (v) =>
    parseInteger(v),
  );
  if (attempts !== undefined && name === 'on-failure') restart.maxRetries = attempts;
  return restart;
}

export function resourcesOf(ctx: ProjectContext, path: string, service: Mapping): ResourcesSpec | undefined {
  const deploy = isMapping(service.deploy) ? service.deploy : {};
  const resources = isMapping(deploy.resources) ? deploy.resources : {};
  const limits = isMapping(resources.limits) ? resources.limits : {};
  const reservations = isMapping(resources.reservations) ? resources.reservations : {};
  const limitsPath = `${path}.deploy.resources.limits`;
  const spec: ResourcesSpec = {};
  const memory =
    take(ctx, `${limitsPath}.memory`, limits.memory, parseBytes) ??
    take(ctx, `${path}.mem_limit`, service.mem_limit, parseBytes);
  if (memory !== undefined) spec.memoryBytes = memory;
  const reservation =
    take(ctx, `${path}.deploy.resources.reservations.memory`, reservations.memory, parseBytes) ??
    take(ctx, `${path}.mem_reservation`, service.mem_reservation, parseBytes);
  if (reservation !== undefined) spec.memoryReservationBytes = reservation;
  // -1 means unlimited swap, as in Docker.
  const swap =
    service.memswap_limit === -1 || service.memswap_limit === '-1'
      ? -1
      : take(ctx, `${path}.memswap_limit`, service.memswap_limit, parseBytes);
  if (swap !== undefined) spec.memorySwapBytes = swap;
  const cpus =
    take(ctx, `${limitsPath}.cpus`, limits.cpus, parseCpus) ??
    take(ctx, `${path}.cpus`, service.cpus, parseCpus);
  if (cpus !== undefined) spec.nanoCpus = cpus;
  const shares = take(ctx, `${path}.cpu_shares`, service.cpu_shares, (v) => parseInteger(v));
  if (shares !== undefined) spec.cpuShares = shares;
  if (service.cpuset !== undefined) spec.cpusetCpus = String(service.cpuset);
  const pids =
    take(ctx, `${limitsPath}.pids`, limits.pids, (v) => parseInteger(v, -1)) ??
    take(ctx, `${path}.pids_limit`, service.pids_limit, (v) => parseInteger(v, -1));
  if (pids !== undefined) spec.pidsLimit = pids;
  return Object.keys(spec).length > 0 ? spec : undefined;
}

/** Swarm's defaults: one at a time, no delay, stop-first, pause on failure, watched for 5 s. */
const UPDATE_DEFAULTS: UpdateConfigSpec = {
  parallelism: 1,
  delayMs: 0,
  order: 'stop-first',
  failureAction: 'pause',
  monitorMs: 5000,
  maxFailureRatio: 0,
};

export function updateConfigOf(
  ctx: ProjectContext,
  path: string,
  value: unknown,
): UpdateConfigSpec | undefined {
  if (!isMapping(value)) return undefined;
  const spec: UpdateConfigSpec = { ...UPDATE_DEFAULTS };
  const parallelism = take(ctx, `${path}.parallelism`, value.parallelism, (v) => parseInteger(v));
  if (parallelism !== undefined) spec.parallelism = parallelism;
  const delay = take(ctx, `${path}.delay`, value.delay, parseDurationValue);
  if (delay !== undefined) spec.delayMs = delay;
  const monitor = take(ctx, `${path}.monitor`, value.monitor, parseDurationValue);
  if (monitor !== undefined) spec.monitorMs = monitor;
  if (value.order !== undefined) {
    if (value.order === 'stop-first' || value.order === 'start-first') spec.order = value.order;
    else
      ctx.error(
        `${path}.order`,
        `unsupported value ${JSON.stringify(value.order)}; expected "stop-first" or "start-first"`,
      );
  }
  if (value.failure_action !== undefined) {
    const action = value.failure_action;
    if (action === 'rollback' || action === 'pause' || action === 'continue') spec.failureAction = action;
    else
      ctx.error(
        `${path}.failure_action`,
        `unsupported value ${JSON.stringify(action)}; expected "rollback", "pause" or "continue"`,
      );
  }
  if (value.max_failure_ratio !== undefined) {
    const ratio = Number(value.max_failure_ratio);
    if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) spec.maxFailureRatio = ratio;
    else ctx.error(`${path}.max_failure_ratio`, 'must be a number from 0 to 1');
  }
  return spec;
}
