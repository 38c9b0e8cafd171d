import type { HealthcheckSpec, ServiceSpec } from '../../stack/types.js';

// Inputs and results of the Docker activities. Workflows import these as types only.

export interface StackNetwork {
  /** The Docker network name (`<stack>_<name>`, or the external name). */
  dockerName: string;
  driver?: string;
  external: boolean;
}

export interface StackVolume {
  dockerName: string;
  driver?: string;
  external: boolean;
}

export interface PrepareHostInput {
  stack: string;
  networks: StackNetwork[];
  volumes: StackVolume[];
}

export interface ContainerRequest {
  stack: string;
  deploymentId: string;
  service: ServiceSpec;
  replica: number;
  name: string;
  /** Networks to attach, with the aliases the container answers to on each. */
  networks: { dockerName: string; aliases: string[] }[];
  /** Stack volume name → Docker volume name, for `type: volume` mounts. */
  volumes: Record<string, string>;
}

/** What `createContainer` did, and what the saga needs to undo it. */
export interface CreateContainerResult {
  containerId: string;
  /** `unchanged`: a container with the same configuration already runs under this name. */
  action: 'created' | 'unchanged' | 'replaced';
  running: boolean;
  /** Set when an older container was renamed out of the way; rollback renames it back. */
  retired?: RetiredContainer;
  /** The healthcheck Docker will run (the image's own, overridden by the service's), if any. */
  healthcheck?: HealthcheckSpec;
  attempt: number;
}

export interface RetiredContainer {
  name: string;
  retiredName: string;
  containerId: string;
  wasRunning: boolean;
}

export interface WaitReadyInput {
  name: string;
  /** Docker's health status decides when the container has a healthcheck (its own or the image's). Without a healthcheck: how long the container must stay running to count as started. */
  settleMs: number;
  timeoutMs: number;
}

export interface ReadyResult {
  containerId: string;
  status: 'running' | 'healthy';
  attempt: number;
}

export interface ObservedContainer {
  containerId: string;
  name: string;
  service: string;
  replica: number;
  deploymentId: string;
  image: string;
  state: string;
}

export interface RollbackInput {
  stack: string;
  deploymentId: string;
}

/** What a whole-stack step did on one host, and what of the stack is left there afterwards. */
export interface SweepResult {
  /** Containers removed, stopped or started, by name. */
  affected: string[];
  /** Rollback only: previous containers renamed back into place. */
  restored: string[];
  /** Every container of the stack on this host after the step, as Docker reports it. */
  remaining: ObservedContainer[];
}

export interface PruneInput {
  stack: string;
  /** Names of containers that belong to the new version on this host; everything else of the stack goes. */
  keep: string[];
}

export interface ServiceSelection {
  stack: string;
  /** Services to act on, in the order to act on them. */
  services: string[];
}
