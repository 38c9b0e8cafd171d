import {
  type ActivityInput,
  ApplicationFailure,
  log,
  type Next,
  patched,
  type QueryInput,
  type SignalInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
  workflowInfo,
} from '@temporalio/workflow';
import {
  firstRefusal,
  RESET_RUN_PATCH,
  refusalOf,
  START_BINDING_PATCH,
  startRefusal,
  UNSIGNED_WORK,
  WORK_BINDING_KEY,
  type WorkBinding,
} from '../contracts/signed-work.js';

// Deterministic halves of signed work (docs/security.md, "Signed and encrypted work"). The codec,
// outside the sandbox, checks signatures and hands on a refused payload in place of one it does not
// trust; here a workflow refuses to run on one, and binds every activity it schedules to its queue,
// run and step. No key is needed for either: the codec signs the binding with the arguments. A
// signed input is also checked against the start it arrived with (type, ID, window), so an input
// taken from an old history cannot start again as the same or another workflow type.

const refused = (what: string, reason: string) =>
  ApplicationFailure.create({
    type: UNSIGNED_WORK,
    nonRetryable: true,
    message: `${what} refused: ${reason}`,
  });

class RefuseUnsignedInput implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    const reason = firstRefusal(input.args);
    if (reason !== undefined) {
      log.error('workflow input refused: not sent by the API or the orchestrator', { reason });
      throw refused('workflow input', reason);
    }
    // Runs recorded before the start binding existed replay without the check (and its marker).
    if (patched(START_BINDING_PATCH)) {
      const info = workflowInfo();
      const unbound = startRefusal(input.args, {
        workflowType: info.workflowType,
        workflowId: info.workflowId,
        startTime: info.startTime,
        hasParent: info.parent !== undefined,
      });
      if (unbound !== undefined) {
        log.error('workflow start refused: its signed input was not made for this start', {
          workflowType: info.workflowType,
          reason: unbound,
        });
        throw refused(`workflow start of ${info.workflowType}`, unbound);
      }
    }
    return next(input);
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
    const reason = firstRefusal(input.args);
    if (reason === undefined) return next(input);
    log.warn('signal ignored: not sent by the API or the orchestrator', { signal: input.signalName, reason });
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    const reason = firstRefusal(input.args);
    if (reason !== undefined) throw refused(`update ${input.name}`, reason);
    return next(input);
  }

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) {
    const reason = firstRefusal(input.args);
    if (reason !== undefined) throw refused(`update ${input.name}`, reason);
    return next(input);
  }

  async handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) {
    const reason = firstRefusal(input.args);
    if (reason !== undefined) throw refused(`query ${input.queryName}`, reason);
    return next(input);
  }
}

class BindActivitiesToTheirTask implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ) {
    const info = workflowInfo();
    // A reset run (Temporal UI's Reset, ResetWorkflowExecution) copies its history up to the reset
    // point, start binding and deployment claim included, under a new run ID: resetting a finished
    // deploy would run its old version again. So a reset run schedules nothing new; it fails at its
    // first new step. The marker patched() records where it refuses keeps replays deterministic: the
    // steps copied from before the reset point have none, so they replay as they were recorded.
    if (info.runId !== info.originalExecutionRunId && patched(RESET_RUN_PATCH)) {
      log.error('a reset run tried to schedule work', { activity: input.activityType });
      throw refused(
        `${input.activityType} of a reset run`,
        'this run was reset from another, whose deployment it no longer owns; start a new operation instead',
      );
    }
    const binding: WorkBinding = {
      taskQueue: input.options.taskQueue ?? info.taskQueue,
      workflowId: info.workflowId,
      runId: info.runId,
      // The id the SDK gives the step when none is set: its sequence number in this run.
      activityId: input.options.activityId ?? `${input.seq}`,
      activityType: input.activityType,
    };
    const result = await next({ ...input, args: [...input.args, { [WORK_BINDING_KEY]: binding }] });
    const reason = refusalOf(result);
    if (reason !== undefined) throw refused(`the result of ${input.activityType}`, reason);
    return result;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new RefuseUnsignedInput()],
  outbound: [new BindActivitiesToTheirTask()],
});
