import type { DeploymentStatus, Role } from '../workflows/enums.js';
import type { ContainerProgress } from '../workflows/progress-types.js';

// The JSON the CLI reads, as documented in README "HTTP API" and api/routes/*/*.routes.ts. The CLI
// is an HTTP client, so these are written out here; enum types come from the shared (pure) files.

export type { ContainerProgress, DeploymentStatus, Role };

export interface List<T> {
  items: T[];
}

export interface Host {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: 'online' | 'offline';
  agent: { identity: string; lastPollAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface RegisteredHost extends Omit<Host, 'status' | 'agent'> {
  agent: { command: string; dockerCommand: string; environment: Record<string, string> };
}

export interface StackSummary {
  id: string;
  name: string;
  version: number;
  services: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Stack extends StackSummary {
  format: 'yaml' | 'json';
  createdBy: string;
  versions: { version: number; createdAt: string; createdBy: string }[];
}

export interface Deployment {
  id: string;
  stackId: string;
  /** The stack name. */
  stack: string;
  /** The stack version placed or acted on. */
  version?: number | null;
  /** deploy, stop, start, delete, and later strategies: kept open so new ones still render. */
  operation: string;
  status: DeploymentStatus;
  progress: number;
  error: string | null;
  containers: ContainerProgress[];
  requestedBy: string;
  workflowId: string;
  runId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface StartedOperation {
  deploymentId: string;
  workflowId: string;
  runId: string | null;
}

export interface CreatedToken {
  id: string;
  name: string;
  role: Role;
  token: string;
}

export type StackOperation = 'deploy' | 'stop' | 'start' | 'delete';
