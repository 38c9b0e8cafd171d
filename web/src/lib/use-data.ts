import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Data<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads once per change of `keys`, and again every `refreshMs` while the tab is visible. A failed
 * refresh keeps the last data and shows the error beside it; answers that arrive after the page
 * moved on are dropped.
 */
export function useData<T>(load: () => Promise<T>, keys: unknown[], refreshMs?: number): Data<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
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
    setState((previous) => ({ data: previous.data, loading: true }));
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
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
