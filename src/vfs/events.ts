import type { Entry } from '../core/index.js';

/** What happened in the tree, for jobs (thumbnails, indexing, sync) to react to. */
export type VfsEvent =
  | { readonly type: 'file.written'; readonly entry: Entry; readonly created: boolean }
  | { readonly type: 'folder.created'; readonly entry: Entry }
  | { readonly type: 'entry.moved'; readonly entry: Entry; readonly fromParentId: number; readonly fromName: string }
  | { readonly type: 'entry.copied'; readonly entry: Entry; readonly sourceId: number }
  | { readonly type: 'entry.deleted'; readonly entry: Entry }
  | { readonly type: 'entry.touched'; readonly entry: Entry };

export type VfsListener = (event: VfsEvent) => void;

/** Synchronous fan-out after commit; a failing listener is reported, never breaks the write. */
export class VfsEvents {
  private readonly listeners = new Set<VfsListener>();

  constructor(private readonly onListenerError: (error: unknown, event: VfsEvent) => void = () => undefined) {}

  on(listener: VfsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: VfsEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
