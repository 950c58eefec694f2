import { parentOfPath } from './sync.names.js';
import type { LocalTree } from './local-tree.js';
import type { RemoteFolder } from './remote-folder.js';
import type { LocalItem, RemoteItem, SyncAction, SyncStateRow } from './sync.types.js';

/** Where a run commits what it learnt, one path at a time. */
export interface StateStore {
  save(row: SyncStateRow): Promise<void>;
  drop(path: string): Promise<void>;
}

export interface RunParts {
  readonly remote: RemoteFolder;
  readonly local: LocalTree;
  readonly store: StateStore;
  readonly remoteItems: ReadonlyMap<string, RemoteItem>;
  readonly localItems: ReadonlyMap<string, LocalItem>;
  readonly state: ReadonlyMap<string, SyncStateRow>;
  /** Tries per action, and the first pause between them (doubling). */
  readonly retry: { readonly attempts: number; readonly baseMs: number };
  readonly sleep: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly progress: (done: number, total: number, message: string) => Promise<void>;
}

export interface RunSummary {
  readonly done: Record<string, number>;
  readonly failed: number;
  readonly errors: string[];
  readonly bytes: number;
}

/**
 * Carries out a plan in order, committing the state row of each path as soon as its action is
 * done (and journalling each transfer before it starts), so a run killed at any point resumes
 * from the state without duplicates. An action that fails is retried with backoff; one that
 * still fails is counted and reported, and the run goes on with the others.
 */
export async function executePlan(actions: readonly SyncAction[], parts: RunParts): Promise<RunSummary> {
  const done: Record<string, number> = {};
  const errors: string[] = [];
  const counter = { bytes: 0 };
  const steps = new Steps(parts, counter);
  for (const [index, action] of actions.entries()) {
    await parts.progress(index, actions.length, `${action.type} ${action.path}`);
    for (let attempt = 1; ; attempt++) {
      try {
        await steps.run(action);
        done[action.type] = (done[action.type] ?? 0) + 1;
        break;
      } catch (error) {
        if (parts.signal?.aborted) throw parts.signal.reason;
        if (attempt >= parts.retry.attempts) {
          errors.push(`${action.type} ${action.path}: ${(error as Error).message}`);
          break;
        }
        await parts.sleep(parts.retry.baseMs * 2 ** (attempt - 1));
      }
    }
  }
  await parts.progress(actions.length, actions.length, 'done');
  return { done, failed: errors.length, errors, bytes: counter.bytes };
}

class Steps {
  constructor(
    private readonly p: RunParts,
    private readonly counter: { bytes: number },
  ) {}

  async run(action: SyncAction): Promise<void> {
    const { remote, local, store, signal } = this.p;
    switch (action.type) {
      case 'download':
        return this.download(action.path, action.remotePath);
      case 'upload':
        return this.upload(action.path, action.remotePath);
      case 'mkdir-local': {
        const entry = await local.mkdir(action.path);
        return store.save(this.row(action.path, action.remotePath, this.p.remoteItems.get(action.path) ?? null, entry && { ...entry }));
      }
      case 'mkdir-remote': {
        await remote.mkcol(action.remotePath, signal);
        const item = await remote.stat(action.remotePath, signal);
        return store.save(this.row(action.path, action.remotePath, item, await local.stat(action.path)));
      }
      case 'delete-local':
        await local.delete(action.path, action.isFolder ? null : (this.p.localItems.get(action.path)?.etag ?? null));
        return store.drop(action.path);
      case 'delete-remote':
        await remote.delete(action.remotePath, action.isFolder, signal);
        return store.drop(action.path);
      case 'adopt':
        return store.save(
          this.row(action.path, action.remotePath, this.p.remoteItems.get(action.path) ?? null, await local.stat(action.path)),
        );
      case 'forget': {
        const known = this.p.state.get(action.path);
        if (action.side === 'both' || !known) return store.drop(action.path);
        const gone =
          action.side === 'local' ? { localSeen: false, localEtag: null, localEntryId: null } : { remoteSeen: false, remoteEtag: null };
        return store.save({ ...known, ...gone, pendingOp: null, pendingEtag: null });
      }
      case 'conflict':
        return this.conflict(action);
    }
  }

  private async download(path: string, remotePath: string, expectedLocalEtag = this.p.localItems.get(path)?.etag ?? null) {
    const listed = this.p.remoteItems.get(path) ?? (await this.p.remote.stat(remotePath, this.p.signal));
    if (!listed) throw new Error(`${remotePath} is gone from the remote`);
    await this.journal(path, remotePath, 'download', listed.etag);
    const { stream, etag } = await this.p.remote.get(remotePath, this.p.signal);
    const entry = await this.p.local.write(path, stream, {
      size: listed.size,
      mtime: listed.mtime,
      expectedEtag: expectedLocalEtag,
      signal: this.p.signal,
    });
    this.counter.bytes += entry.size;
    await this.p.store.save(this.row(path, remotePath, { ...listed, etag: etag ?? listed.etag }, entry));
  }

  private async upload(path: string, remotePath: string) {
    const { entry, stream } = await this.p.local.read(path);
    await this.journal(path, remotePath, 'upload', entry.etag);
    await this.p.remote.put(remotePath, stream, entry.size, entry.mtime, this.p.signal);
    this.counter.bytes += entry.size;
    const item = await this.p.remote.stat(remotePath, this.p.signal);
    await this.p.store.save(this.row(path, remotePath, item, entry));
  }

  /** The older change is renamed on its side (and, two-way, copied over), then the newer one replaces it. */
  private async conflict(action: Extract<SyncAction, { type: 'conflict' }>) {
    const folder = parentOfPath(action.remotePath);
    const name = action.conflictPath.slice(action.conflictPath.lastIndexOf('/') + 1);
    const remoteConflict = folder ? `${folder}/${name}` : name;
    if (action.loser === 'local') {
      await this.p.local.move(action.path, action.conflictPath);
      if (action.copyLoser) await this.upload(action.conflictPath, remoteConflict);
      await this.download(action.path, action.remotePath, null);
    } else {
      await this.p.remote.move(action.remotePath, remoteConflict, this.p.signal);
      if (action.copyLoser) await this.download(action.conflictPath, remoteConflict, null);
      await this.upload(action.path, action.remotePath);
    }
  }

  /** Records a transfer before it starts, so a run that dies after it recognises the result (planner: finishedTransfer). */
  private async journal(path: string, remotePath: string, op: 'download' | 'upload', etag: string | null) {
    const known = this.p.state.get(path);
    const base = known ?? { ...this.row(path, remotePath, null, null), remoteSeen: false, localSeen: false };
    await this.p.store.save({ ...base, pendingOp: op, pendingEtag: etag });
  }

  private row(
    path: string,
    remotePath: string,
    item: RemoteItem | null,
    entry: { id: number; etag: string; kind?: string } | null,
  ): SyncStateRow {
    return {
      path,
      remotePath,
      isFolder: item?.isFolder ?? entry?.kind === 'folder',
      remoteSeen: item !== null,
      remoteEtag: item?.etag ?? null,
      remoteSize: item?.size ?? null,
      remoteMtime: item?.mtime ?? null,
      localSeen: entry !== null,
      localEntryId: entry?.id ?? null,
      localEtag: entry?.etag ?? null,
      pendingOp: null,
      pendingEtag: null,
    };
  }
}
