import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Data<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads once per change of `keys`, and again every `refreshMs` while the tab is visible. New keys
 * (other filters, another stack) drop the data of the old ones at once; a refresh or a failed refresh
 * keeps the last data (beside the error); answers that arrive after the page moved on are dropped.
 */
export function useData<T>(load: () => Promise<T>, keys: unknown[], refreshMs?: number): Data<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const keyText = JSON.stringify(keys);
  const shownKeys = useRef(keyText);
  // Render nothing of the old keys' data, not even for the one frame before the effect runs.
  const stale = shownKeys.current !== keyText;
  useEffect(() => {
    const mine = ++generation.current;
    const run = () => {
      loadRef.current().then(
        (data) => {
          if (generation.current === mine) setState({ data, loading: false });
        },
        (error: unknown) => {
          if (generation.current !== mine) return;
          const apiError =
            error instanceof ApiError ? error : new ApiError(0, 'client', (error as Error).message);
          setState((previous) => ({ data: previous.data, error: apiError, loading: false }));
        },
      );
    };
    const keysChanged = shownKeys.current !== keyText;
    shownKeys.current = keyText;
    setState((previous) => ({ data: keysChanged ? undefined : previous.data, loading: true }));
    run();
    if (!refreshMs) return () => generation.current++;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, refreshMs);
    return () => {
      generation.current++;
      clearInterval(timer);
    };
  }, [...keys, tick, refreshMs]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  if (stale) return { data: undefined, error: undefined, loading: true, reload };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
