/** Which way changes flow: from the remote, to the remote, or both. */
export type SyncDirection = 'download' | 'upload' | 'two-way';
/** What a deletion on one side does to the other: the same (`propagate`) or nothing (`keep`). */
export type SyncDeletes = 'propagate' | 'keep';

export const SYNC_DIRECTIONS: readonly SyncDirection[] = ['download', 'upload', 'two-way'];
export const SYNC_DELETES: readonly SyncDeletes[] = ['propagate', 'keep'];

/** A file or folder on the remote, by its path below the pair's remote folder. */
export interface RemoteItem {
  /** The remote's own spelling of the path (slash-separated, relative), used in every call to it. */
  readonly remotePath: string;
  readonly isFolder: boolean;
  readonly etag: string | null;
  readonly size: number;
  /** Epoch ms; 0 when the server sent none. */
  readonly mtime: number;
}

/** A file or folder in the local tree, by its path below the pair's local folder. */
export interface LocalItem {
  readonly entryId: number;
  readonly isFolder: boolean;
  readonly etag: string;
  readonly size: number;
  readonly mtime: number;
}

/**
 * A side's listing, keyed by the NFC form of the relative path. `complete` is true only when
 * every folder was listed successfully: an incomplete listing never proves a deletion.
 */
export interface Listing<T> {
  readonly items: ReadonlyMap<string, T>;
  readonly complete: boolean;
  /** Remote names that are one name once normalised (each group in the remote's spellings). */
  readonly collisions?: readonly (readonly string[])[];
}

/** What both sides held at a path when they last agreed (one `sync_state` row, as the repository gives it). */
export type { SyncStateRecord as SyncStateRow } from '../../db/index.js';

export type SyncAction =
  | { readonly type: 'download'; readonly path: string; readonly remotePath: string }
  | { readonly type: 'upload'; readonly path: string; readonly remotePath: string }
  | { readonly type: 'mkdir-local'; readonly path: string; readonly remotePath: string }
  | { readonly type: 'mkdir-remote'; readonly path: string; readonly remotePath: string }
  | { readonly type: 'delete-local'; readonly path: string; readonly isFolder: boolean }
  | { readonly type: 'delete-remote'; readonly path: string; readonly remotePath: string; readonly isFolder: boolean }
  /**
   * Both sides changed: the older change (`loser`) is renamed to `conflictPath` on its side;
   * with `copyLoser` (two-way) the renamed copy is also sent to the other side. The winner
   * then goes to the loser's side at `path`.
   */
  | {
      readonly type: 'conflict';
      readonly path: string;
      readonly remotePath: string;
      readonly loser: 'local' | 'remote';
      readonly conflictPath: string;
      readonly copyLoser: boolean;
    }
  /** Both sides already agree (found equal, or a transfer of an earlier run finished): record it. */
  | { readonly type: 'adopt'; readonly path: string; readonly remotePath: string }
  /** A side is gone and nothing is sent: drop the row, or remember that side as absent (a kept deletion). */
  | { readonly type: 'forget'; readonly path: string; readonly side: 'local' | 'remote' | 'both' };

export interface SyncPlan {
  readonly actions: readonly SyncAction[];
  /** Remote names that are one name once normalised to NFC: reported, never merged or transferred. */
  readonly collisions: readonly (readonly string[])[];
  /** Set when the safety stop refused the run (too many deletions). */
  readonly stopped: string | null;
  /** Why deletions were not planned on a side (incomplete or suspiciously empty listing). */
  readonly notes: readonly string[];
}
