import type { ContainerState, DeploymentStatus, Operation } from '../contracts/vocabulary.js';

// What a running operation reports through its `progress` query, and what the database keeps after.

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
