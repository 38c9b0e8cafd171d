import type { DeploymentStatus } from './enums.js';
import type { Operation } from './registry.js';

// What a running operation reports through its `progress` query, and what the database keeps after.

export const containerStates = [
  'pending',
  'pulling',
  'creating',
  'starting',
  'running',
  'healthy',
  'unchanged',
  'stopping',
  'stopped',
  'removing',
  'removed',
  'failed',
  'compensated',
] as const;
export type ContainerState = (typeof containerStates)[number];

export interface ContainerProgress {
  service: string;
  replica: number;
  hostId: string;
  name: string;
  containerId: string | null;
  status: ContainerState;
  attempts: number;
  error: string | null;
}

export interface OperationProgress {
  deploymentId: string;
  operation: Operation;
  stack: string;
  status: DeploymentStatus;
  /** 0-100: share of containers that reached the operation's goal state. */
  progress: number;
  error: string | null;
  containers: ContainerProgress[];
}
