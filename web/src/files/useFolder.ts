import { useCallback, useEffect, useRef, useState } from 'react';
import { listFolder } from '../api/files';
import type { FileResponse, OrderBy, OrderDirection } from '../api/types';

export interface FolderState {
  readonly items: FileResponse[];
  readonly loading: boolean;
  readonly error: unknown;
  readonly hasMore: boolean;
  readonly loadingMore: boolean;
  loadMore(): void;
  reload(): void;
}

/**
 * A folder's listing (contract 7), page by page through next_token, ordered by the server
 * (folders first). Changing the folder or the order starts again; a stale answer is dropped.
 */
export function useFolder(uri: string, orderBy: OrderBy, direction: OrderDirection): FolderState {
  const [items, setItems] = useState<FileResponse[]>([]);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  const current = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const request = ++current.current;
    setLoading(true);
    setError(null);
    listFolder(uri, { orderBy, direction, signal: controller.signal })
      .then((page) => {
        if (request !== current.current) return;
        setItems(page.files);
        setNextToken(page.pagination.next_token || undefined);
      })
      .catch((failure: unknown) => {
        if (request !== current.current || controller.signal.aborted) return;
        setItems([]);
        setNextToken(undefined);
        setError(failure);
      })
      .finally(() => {
        if (request === current.current) setLoading(false);
      });
    return () => controller.abort();
  }, [uri, orderBy, direction, version]);

  const loadMore = useCallback(() => {
    if (!nextToken || loadingMore) return;
    const request = current.current;
    setLoadingMore(true);
    listFolder(uri, { orderBy, direction, nextToken })
      .then((page) => {
        if (request !== current.current) return;
        setItems((previous) => [...previous, ...page.files]);
        setNextToken(page.pagination.next_token || undefined);
      })
      .catch((failure: unknown) => {
        if (request === current.current) setError(failure);
      })
      .finally(() => setLoadingMore(false));
  }, [uri, orderBy, direction, nextToken, loadingMore]);

  const reload = useCallback(() => setVersion((value) => value + 1), []);

  return { items, loading, error, hasMore: Boolean(nextToken), loadingMore, loadMore, reload };
}
