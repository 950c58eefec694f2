import { conflictPath, isExcluded, isWithinPath, nfc, parentOfPath } from './sync.names.js';
import type { Listing, LocalItem, RemoteItem, SyncAction, SyncDeletes, SyncDirection, SyncPlan, SyncStateRow } from './sync.types.js';

export interface PlanOptions {
  readonly direction: SyncDirection;
  readonly deletes: SyncDeletes;
  readonly excludes: readonly string[];
  /** A plan deleting more than this share (0..100) of either side's files is refused. */
  readonly maxDeletePercent: number;
}

/** Modification times closer than this are one time (servers keep seconds, some two). */
const MTIME_SLACK_MS = 2000;

type Delete = Extract<SyncAction, { type: 'delete-local' | 'delete-remote' }>;

/**
 * What a run must do to bring both sides in step: a pure function of the two listings and the
 * state rows (issue 13 items 1 and 2). Changes are found against the state (ETag, else size and
 * mtime, on the remote; ETag locally); a deletion counts only when the listing of that side is
 * complete and not suspiciously empty; both sides changed means a conflict where the older
 * change is kept under a conflict name. One-way pairs mirror their source but never overwrite
 * an unseen change on the target: it is kept as a conflict copy there.
 */
export function planSync(
  remote: Listing<RemoteItem>,
  local: Listing<LocalItem>,
  state: ReadonlyMap<string, SyncStateRow>,
  options: PlanOptions,
): SyncPlan {
  const notes: string[] = [];
  const collided = (remote.collisions ?? []).map((group) => nfc(group[0]!));
  const proves = (side: 'remote' | 'local'): boolean => {
    const listing = side === 'remote' ? remote : local;
    if (!listing.complete) {
      notes.push(`The ${side} listing is incomplete: no deletion is inferred from it`);
      return false;
    }
    const seenBefore = [...state.values()].some((row) => (side === 'remote' ? row.remoteSeen : row.localSeen));
    if (listing.items.size === 0 && seenBefore) {
      notes.push(`The ${side} folder is empty although it held files: no deletion is inferred from it`);
      return false;
    }
    return true;
  };
  const context: Context = {
    remote,
    local,
    options,
    proof: { remote: proves('remote'), local: proves('local') },
    spelling: new Map(),
    allocated: new Set(),
  };
  const paths = new Set([...remote.items.keys(), ...local.items.keys(), ...state.keys()]);
  const actions: SyncAction[] = [];
  for (const path of [...paths].sort()) {
    if (isExcluded(path, options.excludes) || collided.some((prefix) => isWithinPath(path, prefix))) continue;
    const action = decide(context, path, remote.items.get(path), local.items.get(path), state.get(path));
    if (action) actions.push(action);
  }
  const ordered = settleFolderDeletes(actions, context);
  const stopped = safetyStop(ordered, remote, local, options.maxDeletePercent);
  return { actions: stopped ? [] : ordered, collisions: remote.collisions ?? [], stopped, notes };
}

interface Context {
  readonly remote: Listing<RemoteItem>;
  readonly local: Listing<LocalItem>;
  readonly options: PlanOptions;
  readonly proof: { readonly remote: boolean; readonly local: boolean };
  /** The remote spelling chosen for paths that do not exist there yet. */
  readonly spelling: Map<string, string>;
  /** Conflict names handed out in this plan. */
  readonly allocated: Set<string>;
}

function decide(c: Context, path: string, r: RemoteItem | undefined, l: LocalItem | undefined, s: SyncStateRow | undefined) {
  const remotePath = remoteSpelling(c, path, r, s);
  const down = c.options.direction !== 'upload';
  const up = c.options.direction !== 'download';
  const known = s !== undefined && (s.remoteSeen || s.localSeen);
  if (r && l) {
    if (r.isFolder !== l.isFolder) return undefined; // a file against a folder: left for the user to resolve
    if (r.isFolder) return known ? undefined : ({ type: 'adopt', path, remotePath } as const);
    if (s?.pendingOp && finishedTransfer(s, r, l)) return { type: 'adopt', path, remotePath } as const;
    const remoteChanged = !s?.remoteSeen || changedRemote(s, r);
    const localChanged = !s?.localSeen || s.localEtag !== l.etag;
    if (!remoteChanged && !localChanged) return undefined;
    if (remoteChanged && !localChanged) return down ? ({ type: 'download', path, remotePath } as const) : undefined;
    if (localChanged && !remoteChanged) return up ? ({ type: 'upload', path, remotePath } as const) : undefined;
    if (r.size === l.size && Math.abs(r.mtime - l.mtime) < MTIME_SLACK_MS) return { type: 'adopt', path, remotePath } as const;
    return conflict(c, path, remotePath, r, l);
  }
  if (r) {
    const make = r.isFolder ? ('mkdir-local' as const) : ('download' as const);
    if (!known || !s.localSeen) {
      // New on the remote, or a local deletion kept earlier: only a remote change brings it back.
      const restore = !known || c.options.direction === 'download' || (!r.isFolder && changedRemote(s, r));
      return down && restore ? { type: make, path, remotePath } : undefined;
    }
    if (!c.proof.local) return undefined;
    if (c.options.direction === 'download' || (!r.isFolder && changedRemote(s, r))) {
      return down ? { type: make, path, remotePath } : ({ type: 'forget', path, side: 'local' } as const);
    }
    if (c.options.deletes === 'propagate') return { type: 'delete-remote', path, remotePath, isFolder: r.isFolder } as const;
    return { type: 'forget', path, side: 'local' } as const;
  }
  if (l) {
    const make = l.isFolder ? ('mkdir-remote' as const) : ('upload' as const);
    if (!known || !s.remoteSeen) {
      const restore = !known || c.options.direction === 'upload' || (!l.isFolder && s.localEtag !== l.etag);
      return up && restore ? { type: make, path, remotePath } : undefined;
    }
    if (!c.proof.remote) return undefined;
    if (c.options.direction === 'upload' || (!l.isFolder && s.localEtag !== l.etag)) {
      return up ? { type: make, path, remotePath } : ({ type: 'forget', path, side: 'remote' } as const);
    }
    if (c.options.deletes === 'propagate') return { type: 'delete-local', path, isFolder: l.isFolder } as const;
    return { type: 'forget', path, side: 'remote' } as const;
  }
  return s ? ({ type: 'forget', path, side: 'both' } as const) : undefined;
}

/** A transfer journalled by a run that died before recording it, found done: both sides hold its bytes. */
function finishedTransfer(s: SyncStateRow, r: RemoteItem, l: LocalItem): boolean {
  if (r.size !== l.size) return false;
  if (s.pendingOp === 'download') return r.etag === s.pendingEtag && Math.abs(r.mtime - l.mtime) < MTIME_SLACK_MS;
  return l.etag === s.pendingEtag;
}

function changedRemote(s: SyncStateRow, r: RemoteItem): boolean {
  if (s.remoteEtag !== null && r.etag !== null) return s.remoteEtag !== r.etag;
  return s.remoteSize !== r.size || Math.abs((s.remoteMtime ?? 0) - r.mtime) >= MTIME_SLACK_MS;
}

function conflict(c: Context, path: string, remotePath: string, r: RemoteItem, l: LocalItem): SyncAction {
  const direction = c.options.direction;
  // The older change loses; a one-way pair's target always loses (its source is the reference).
  const loser = direction === 'download' ? 'local' : direction === 'upload' ? 'remote' : r.mtime <= l.mtime ? 'remote' : 'local';
  const taken = (candidate: string) => c.remote.items.has(candidate) || c.local.items.has(candidate) || c.allocated.has(candidate);
  const renamed = conflictPath(path, loser === 'remote' ? r.mtime : l.mtime, taken);
  c.allocated.add(renamed);
  return { type: 'conflict', path, remotePath, loser, conflictPath: renamed, copyLoser: direction === 'two-way' };
}

/** The remote's spelling of a path: its own when it has the path, else its parent's spelling and the NFC name. */
function remoteSpelling(c: Context, path: string, r: RemoteItem | undefined, s: SyncStateRow | undefined): string {
  if (r) return r.remotePath;
  if (s) return s.remotePath;
  const parent = parentOfPath(path);
  const name = parent ? path.slice(parent.length + 1) : path;
  const parentSpelling = parent ? (c.remote.items.get(parent)?.remotePath ?? c.spelling.get(parent) ?? parent) : '';
  const spelled = parentSpelling ? `${parentSpelling}/${name}` : name;
  c.spelling.set(path, spelled);
  return spelled;
}

/**
 * Folder deletions last, deepest first, and only of folders whose whole content goes too: a
 * folder that still holds something on its side is created on the other side instead.
 */
function settleFolderDeletes(actions: SyncAction[], c: Context): SyncAction[] {
  const deletes = actions.filter((a): a is Delete => a.type === 'delete-local' || a.type === 'delete-remote');
  const gone = new Set(deletes.map((a) => `${a.type}:${a.path}`));
  const rest: SyncAction[] = actions.filter((a) => a.type !== 'delete-local' && a.type !== 'delete-remote');
  const kept: Delete[] = [];
  for (const action of deletes) {
    if (!action.isFolder) {
      kept.push(action);
      continue;
    }
    const side = action.type === 'delete-local' ? c.local.items : c.remote.items;
    const survivor = [...side.keys()].some(
      (p) => p !== action.path && isWithinPath(p, action.path) && !gone.has(`${action.type}:${p}`) && !isExcluded(p, c.options.excludes),
    );
    if (!survivor) kept.push(action);
    else if (action.type === 'delete-local')
      rest.push({ type: 'mkdir-remote', path: action.path, remotePath: remoteSpelling(c, action.path, undefined, undefined) });
    else rest.push({ type: 'mkdir-local', path: action.path, remotePath: action.remotePath });
  }
  rest.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  kept.sort((a, b) => b.path.split('/').length - a.path.split('/').length || (a.path < b.path ? 1 : -1));
  return [...rest, ...kept];
}

/** `sync.maxDeletePercent`: a plan that would delete more than that share of either side's files stops. */
function safetyStop(
  actions: readonly SyncAction[],
  remote: Listing<RemoteItem>,
  local: Listing<LocalItem>,
  maxPercent: number,
): string | null {
  for (const [side, type, items] of [
    ['local', 'delete-local', local.items],
    ['remote', 'delete-remote', remote.items],
  ] as const) {
    const files = [...items.values()].filter((item) => !item.isFolder).length;
    const deleting = actions.filter((a) => a.type === type && !a.isFolder).length;
    if (files > 0 && (deleting / files) * 100 > maxPercent) {
      return `The run would delete ${deleting} of ${files} ${side} files (more than ${maxPercent}%, sync.maxDeletePercent): stopped, nothing changed`;
    }
  }
  return null;
}
