import { useCallback, useState } from 'react';

/**
 * One action at a time from a panel: `busy` while it runs, its failure kept in `error` for an
 * ErrorAlert, and `after` (a reload, say) run when it succeeded.
 */
export function useAction(after: () => unknown = () => undefined) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = useCallback(
    async (work: () => Promise<unknown>) => {
      setBusy(true);
      setError(null);
      try {
        await work();
        await after();
      } catch (failure) {
        setError(failure);
      } finally {
        setBusy(false);
      }
    },
    [after],
  );
  return { busy, error, setError, act };
}
