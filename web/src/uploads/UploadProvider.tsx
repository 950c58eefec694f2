import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Uploader, type UploadSnapshot } from './uploader';

interface UploadContextValue {
  readonly uploader: Uploader;
  readonly snapshot: UploadSnapshot;
  readonly completedCount: number;
}

const UploadContext = createContext<UploadContextValue | null>(null);

/** One upload queue for the signed-in pages; leaving the page mid-upload asks first. */
export function UploadProvider({ children }: { children: ReactNode }) {
  const [uploader] = useState(() => new Uploader());
  const snapshot = useSyncExternalStore(uploader.subscribe, uploader.getSnapshot);
  const active = snapshot.tasks.some((task) => ['queued', 'preparing', 'uploading'].includes(task.status));
  useEffect(() => {
    if (!active) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [active]);
  return <UploadContext.Provider value={{ uploader, snapshot, completedCount: snapshot.completed }}>{children}</UploadContext.Provider>;
}

export function useUploads(): UploadContextValue {
  const value = useContext(UploadContext);
  if (!value) throw new Error('useUploads outside UploadProvider');
  return value;
}

/** A file from a drop or a folder picker, with its path inside the dropped folder. */
export function withRelativePath(file: File): { file: File; relativePath?: string } {
  const dropped = (file as File & { path?: string }).path;
  const relativePath = file.webkitRelativePath || dropped || undefined;
  return { file, relativePath };
}
