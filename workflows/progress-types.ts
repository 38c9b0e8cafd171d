import type { ContainerState, DeploymentStatus, Operation } from '../contracts/vocabulary.js';
import type { Awaiting } from './kit/actions.js';

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
  /** The agent that ran its latest step (`agent:vm1@host:1234`); absent before agents reported it. */
  agent?: string;
}

export interface OperationProgress {
  deploymentId: string;
  operation: Operation;
  stack: string;
  status: DeploymentStatus;
  /** 0-100: share of containers that reached the operation's goal state. */
  progress: number;
  error: string | null;
  /** What it is doing now, in a few words (`wave 2 of 3: web`); absent in records written before it existed. */
  phase?: string;
  /** The actions it accepts now and until when, or null. */
  awaiting?: Awaiting | null;
  containers: ContainerProgress[];
}
