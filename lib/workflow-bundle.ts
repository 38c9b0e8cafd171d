import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './payload-security.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Every workflow refuses unsigned input and binds the activities it schedules to their task. */
export const WORKFLOW_INTERCEPTORS_PATH = fileURLToPath(
  new URL('../workflows/interceptors.ts', import.meta.url),
);

/**
 * Bundles the workflow code into one file, as the Docker image (and the test runner) do: the
 * orchestrator then loads it through GRAPHIUM_WORKFLOW_BUNDLE instead of running webpack at each
 * start, and a workflow that imports something it must not fails here, not at the first deploy.
 */
export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH],
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  writeFileSync(outFile, code);
  return code.length;
}
