import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { payloadDataConverter } from '../../lib/payload-security.js';
import { replayPolicy, testOrchestratorSecurity } from './payload-keys.js';
import { REPO_ROOT } from './processes.js';

const RESET = proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;

/** Recorded histories of every workflow type, replayed by workflows/replay.test.ts against today's code. */
export const HISTORIES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'histories');

/** A history as plain JSON, the shape `temporal workflow show --output json` writes. */
export interface RecordedHistory {
  workflowId: string;
  history: { events?: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] };
}

/** The histories of these workflows and of all the child workflows they started. */
export async function fetchHistories(client: Client, workflowIds: string[]): Promise<RecordedHistory[]> {
  const seen = new Set<string>();
  const out: RecordedHistory[] = [];
  const queue = [...workflowIds];
  while (queue.length > 0) {
    const workflowId = queue.shift()!;
    if (seen.has(workflowId)) continue;
    seen.add(workflowId);
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    // A reset run is left out: the offline replayer gives it the run ID of the run it was reset from
    // (the one its copied start event names), so the checks that tell a reset run apart
    // (workflows/interceptors.ts) cannot see it there. Workers replay it with its own run ID.
    if (history.events?.some((e) => e.workflowTaskFailedEventAttributes?.cause === RESET)) continue;
    out.push({ workflowId, history: JSON.parse(historyToJSON(history)) });
    for (const event of history.events ?? []) {
      const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (child) queue.push(child);
    }
  }
  return out;
}

/** Replays histories with the given workflow bundle; resolves with the IDs that failed to replay. */
export async function replayHistories(bundlePath: string, histories: RecordedHistory[]): Promise<string[]> {
  const failed: string[] = [];
  const results = Worker.runReplayHistories(
    {
      workflowBundle: { codePath: bundlePath },
      replayName: 'graphium-replay',
      // Recorded histories are sealed and signed with the test keys, or plaintext from before that.
      dataConverter: payloadDataConverter(testOrchestratorSecurity(), replayPolicy),
    },
    histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
  );
  for await (const result of results) {
    if (result.error) failed.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failed;
}

/**
 * With GRAPHIUM_RECORD_HISTORIES=1 the end-to-end tests write what they ran into the fixtures
 * folder (one file per workflow type and scenario), to be committed and replayed from then on.
 */
export function saveHistories(scenario: string, histories: RecordedHistory[]): void {
  if (process.env.GRAPHIUM_RECORD_HISTORIES !== '1') return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const { workflowId, history } of histories) {
    const type =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';
    const file = join(
      HISTORIES_DIR,
      `${type}--${scenario}--${workflowId.replace(/[^a-zA-Z0-9._-]/g, '_')}.json`,
    );
    writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
  }
}

export function loadRecordedHistories(): (RecordedHistory & { file: string })[] {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      // Child workflow IDs derive from the parent's, so replay must use the original ID.
      workflowId: file
        .replace(/\.json$/, '')
        .split('--')
        .slice(2)
        .join('--'),
      history: JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')),
    }));
}
