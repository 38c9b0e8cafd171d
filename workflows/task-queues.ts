// Public contract (DESIGN.md): outside agents and tools poll these exact names.
export const ORCHESTRATOR_TASK_QUEUE = 'graphium-orchestrator';

export function hostTaskQueue(hostId: string): string {
  return `graphium-host-${hostId}`;
}
