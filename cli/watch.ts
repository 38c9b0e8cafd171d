import type { Deployment } from './api-client.js';
import { colorEnabled } from './config.js';
import type { CliContext } from './context.js';
import { ExitCode, exitCodeForStatus } from './exit-codes.js';
import { followDeployment } from './follow.js';
import { createProgressView } from './render.js';

// Follows a deployment with the right display for where stdout goes, and turns the final status
// into the exit code. Ctrl-C stops following only: the operation runs on in Temporal.

export async function watchDeployment(
  context: CliContext,
  deploymentId: string,
  label: string,
  /** `json`: the caller prints the final deployment as JSON, so stdout must carry nothing else. */
  options: { json?: boolean } = {},
): Promise<Deployment | undefined> {
  // The display goes where the person is: stdout, or stderr when stdout is kept for JSON.
  const target = options.json ? context.err : context.out;
  const color = options.json ? !!target.isTTY && colorEnabled() : context.color;
  const view = createProgressView(target, label, { color, err: context.err });
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const final = await followDeployment({
      source: context.api(),
      deploymentId,
      signal: controller.signal,
      onUpdate: (deployment) => view.update(deployment),
      onNotice: (message) => view.notice(`graphium: ${message}`),
    });
    view.finish(final);
    context.exitCode = exitCodeForStatus(final.status);
    return final;
  } catch (error) {
    if (!controller.signal.aborted) {
      view.abandon();
      throw error;
    }
    view.abandon();
    context.note(
      '',
      `stopped following; deployment ${deploymentId} goes on. Follow it again with:`,
      `  graphium status ${deploymentId} --follow`,
    );
    context.exitCode = ExitCode.interrupted;
    return undefined;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
