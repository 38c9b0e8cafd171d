import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * Bundles the workflow code into one file, as the Docker image (and the test runner) do: the
 * orchestrator then loads it through GRAPHIUM_WORKFLOW_BUNDLE instead of running webpack at each
 * start, and a workflow that imports something it must not fails here, not at the first deploy.
 */
export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  writeFileSync(outFile, code);
  return code.length;
}
