import { useEffect, useState } from 'react';
import { thumbnailUrl } from '../api/files';
import type { FileResponse } from '../api/types';
import { FileIcon, mayHaveThumbnail } from './FileIcon';

/** Thumbnail URLs per file path; null once the server said it has none, so it is asked once. */
const thumbnails = new Map<string, string | null>();

/** A file's thumbnail when the server has one (contract 10), else its icon; `small` for a list row. */
export function Thumbnail({ item, small = false }: { item: FileResponse; small?: boolean }) {
  const wanted = item.type === 0 && mayHaveThumbnail(item.name) && item.metadata?.['thumb:disabled'] === undefined;
  const key = `${item.path}#${item.updated_at}`;
  const [url, setUrl] = useState<string | null>(() => thumbnails.get(key) ?? null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!wanted || thumbnails.has(key)) return;
    const controller = new AbortController();
    thumbnailUrl(item.path, controller.signal)
      .then((answer) => {
        thumbnails.set(key, answer.url);
        setUrl(answer.url);
      })
      .catch(() => {
        if (!controller.signal.aborted) thumbnails.set(key, null);
      });
    return () => controller.abort();
  }, [wanted, key, item.path]);
  if (url && !failed) {
    return <img className={small ? 'thumb-small' : 'thumb'} src={url} alt="" loading="lazy" onError={() => setFailed(true)} />;
  }
  if (small) return <FileIcon name={item.name} folder={item.type === 1} />;
  return (
    <div className="thumb-icon">
      <FileIcon name={item.name} folder={item.type === 1} size={48} />
    </div>
  );
}
