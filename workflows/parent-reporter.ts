import { CancellationScope, condition, getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import { type ContainerUpdate, hostProgressSignal } from './progress.js';

/**
 * Sends a per-host child's container updates to its parent, one signal in flight at a time:
 * updates that arrive meanwhile ride in the next batch, so busy hosts send few, large signals. It
 * runs in a non-cancellable scope so the last updates still reach the parent when the deploy is
 * cancelled.
 */
export class ParentReporter {
  private pending: ContainerUpdate[] = [];
  private reached = false;
  private reachedSent = false;
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(private readonly hostId: string) {
    const parent = workflowInfo().parent;
    this.loop = parent
      ? CancellationScope.nonCancellable(() =>
          this.run(getExternalWorkflowHandle(parent.workflowId, parent.runId)),
        )
      : Promise.resolve();
  }

  report(update: Omit<ContainerUpdate, 'hostId'>): void {
    this.pending.push({ hostId: this.hostId, ...update });
  }

  /** The host's agent did work for this deployment: a rollback must visit it. */
  markReached(): void {
    this.reached = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
  }

  private async run(parent: ReturnType<typeof getExternalWorkflowHandle>): Promise<void> {
    for (;;) {
      const unsent = () => this.pending.length > 0 || this.reached !== this.reachedSent;
      await condition(() => unsent() || this.closed);
      if (!unsent()) return;
      const batch = { hostId: this.hostId, reached: this.reached, updates: this.pending };
      this.pending = [];
      this.reachedSent = batch.reached;
      try {
        await parent.signal(hostProgressSignal, batch);
      } catch {
        return; // The parent has already closed: nobody is listening any more.
      }
    }
  }
}
