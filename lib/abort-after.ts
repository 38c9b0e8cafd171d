/**
 * An abort signal that fires after `ms` (reason: a `TimeoutError` DOMException, as
 * `AbortSignal.timeout` gives) or as soon as any of `signals` fires; `clear()` stops the timer and
 * the listeners once the guarded work is over.
 *
 * Not `AbortSignal.any([AbortSignal.timeout(ms), …])`: on Node 20 the combined signal holds its
 * sources only weakly, and the timeout signal's timer holds it weakly too, so once the garbage
 * collector takes the timeout signal it never fires. A Docker call on a frozen daemon then hung for
 * six minutes instead of failing after its 60 s bound. Here the timer holds the controller.
 */
export function abortAfter(
  ms: number,
  ...signals: (AbortSignal | undefined)[]
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')),
    ms,
  );
  // Like AbortSignal.timeout: a pending deadline alone does not keep the process alive.
  timer.unref();
  const clear = () => {
    clearTimeout(timer);
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  controller.signal.addEventListener('abort', clear, { once: true });
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    source.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, clear };
}
