import { describe, expect, it } from 'vitest';
import { conflictPath, indexRemote, isExcluded } from '../../../src/services/sync/sync.names.js';
import { planSync, type PlanOptions } from '../../../src/services/sync/sync.planner.js';
import type { Listing, LocalItem, RemoteItem, SyncStateRow } from '../../../src/services/sync/sync.types.js';

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const file = (remotePath: string, etag: string, size = 3, mtime = T0): RemoteItem => ({ remotePath, isFolder: false, etag, size, mtime });
const folder = (remotePath: string): RemoteItem => ({ remotePath, isFolder: true, etag: null, size: 0, mtime: T0 });
let nextId = 1;
const lfile = (etag: string, size = 3, mtime = T0): LocalItem => ({ entryId: nextId++, isFolder: false, etag, size, mtime });
const lfolder = (): LocalItem => ({ entryId: nextId++, isFolder: true, etag: 'f', size: 0, mtime: T0 });
const remoteOf = (items: RemoteItem[], complete = true) => indexRemote(items, complete);
const localOf = (entries: Record<string, LocalItem>, complete = true): Listing<LocalItem> => ({
  items: new Map(Object.entries(entries)),
  complete,
});
const row = (path: string, remoteEtag: string | null, localEtag: string | null, extra: Partial<SyncStateRow> = {}): SyncStateRow => ({
  path,
  remotePath: path,
  isFolder: false,
  remoteSeen: remoteEtag !== null,
  remoteEtag,
  remoteSize: 3,
  remoteMtime: T0,
  localSeen: localEtag !== null,
  localEntryId: 1,
  localEtag,
  pendingOp: null,
  pendingEtag: null,
  ...extra,
});
const stateOf = (...rows: SyncStateRow[]) => new Map(rows.map((r) => [r.path, r]));
const opts = (direction: PlanOptions['direction'], extra: Partial<PlanOptions> = {}): PlanOptions => ({
  direction,
  deletes: 'propagate',
  excludes: [],
  maxDeletePercent: 100,
  ...extra,
});
const kinds = (plan: ReturnType<typeof planSync>) => plan.actions.map((a) => `${a.type} ${a.path}`);

describe('sync planner', () => {
  it('downloads new remote files, creates their folders first, and uploads new local files in two-way', () => {
    const plan = planSync(remoteOf([folder('a'), file('a/x', 'e1')]), localOf({ y: lfile('l1') }), new Map(), opts('two-way'));
    expect(kinds(plan)).toEqual(['mkdir-local a', 'download a/x', 'upload y']);
  });

  it('one-way pairs move changes one way only', () => {
    const remote = remoteOf([file('r', 'e1')]);
    const local = localOf({ l: lfile('l1') });
    expect(kinds(planSync(remote, local, new Map(), opts('download')))).toEqual(['download r']);
    expect(kinds(planSync(remote, local, new Map(), opts('upload')))).toEqual(['upload l']);
  });

  it('sees an edit on either side against the state and does nothing when nothing changed', () => {
    const state = stateOf(row('f', 'e1', 'l1'));
    expect(kinds(planSync(remoteOf([file('f', 'e1')]), localOf({ f: lfile('l1') }), state, opts('two-way')))).toEqual([]);
    expect(kinds(planSync(remoteOf([file('f', 'e2', 4)]), localOf({ f: lfile('l1') }), state, opts('two-way')))).toEqual(['download f']);
    expect(kinds(planSync(remoteOf([file('f', 'e1')]), localOf({ f: lfile('l2', 5) }), state, opts('two-way')))).toEqual(['upload f']);
  });

  it('without ETags compares the remote size and mtime', () => {
    const state = stateOf(row('f', null, 'l1', { remoteSeen: true }));
    const same = file('f', '', 3, T0 + 500);
    expect(kinds(planSync(remoteOf([{ ...same, etag: null }]), localOf({ f: lfile('l1') }), state, opts('two-way')))).toEqual([]);
    expect(kinds(planSync(remoteOf([{ ...same, etag: null, size: 9 }]), localOf({ f: lfile('l1') }), state, opts('two-way')))).toEqual([
      'download f',
    ]);
  });

  it('a conflict keeps both: the older change is renamed, on both sides in two-way', () => {
    const state = stateOf(row('dir/photo.jpg', 'e1', 'l1'));
    const remote = remoteOf([folder('dir'), file('dir/photo.jpg', 'e2', 5, T0 + 60_000)]);
    const local = localOf({ dir: lfolder(), 'dir/photo.jpg': lfile('l2', 7, T0 + 120_000) });
    const plan = planSync(
      remote,
      local,
      stateOf(...state.values(), { ...row('dir', null, null), isFolder: true, remoteSeen: true, localSeen: true }),
      opts('two-way'),
    );
    expect(plan.actions).toEqual([
      {
        type: 'conflict',
        path: 'dir/photo.jpg',
        remotePath: 'dir/photo.jpg',
        loser: 'remote',
        conflictPath: 'dir/photo (conflict 2026-12-07 100100).jpg',
        copyLoser: true,
      },
    ]);
  });

  it('numbers a conflict name already taken on either side', () => {
    const taken = new Set(['a (conflict 2026-12-07 100000).txt', 'a (conflict 2026-12-07 100000 2).txt']);
    expect(conflictPath('a.txt', T0, (p) => taken.has(p))).toBe('a (conflict 2026-12-07 100000 3).txt');
    expect(conflictPath('d/README', T0, () => false)).toBe('d/README (conflict 2026-12-07 100000)');
  });

  it('in a one-way pair an unseen change on the target is kept as a conflict copy, never overwritten', () => {
    const state = stateOf(row('f', 'e1', 'l1'));
    const plan = planSync(remoteOf([file('f', 'e2', 4)]), localOf({ f: lfile('l2', 5, T0 + 999_000) }), state, opts('download'));
    expect(plan.actions[0]).toMatchObject({ type: 'conflict', loser: 'local', copyLoser: false });
    // Both present, never synced, different: a conflict too; equal size and mtime: adopted.
    expect(planSync(remoteOf([file('g', 'e1', 4)]), localOf({ g: lfile('x', 5) }), new Map(), opts('download')).actions[0]).toMatchObject({
      type: 'conflict',
      loser: 'local',
    });
    expect(kinds(planSync(remoteOf([file('g', 'e1', 4)]), localOf({ g: lfile('x', 4, T0 + 1000) }), new Map(), opts('two-way')))).toEqual([
      'adopt g',
    ]);
  });

  it('propagates deletions both ways under `propagate`, folders after their content', () => {
    const state = stateOf(
      row('gone-remote', 'e1', 'l1'),
      row('gone-local', 'e2', 'l2'),
      row('keep', 'e3', 'l3'),
      { ...row('d', 'x', 'y'), isFolder: true },
      row('d/f', 'e4', 'l4'),
    );
    const remote = remoteOf([file('gone-local', 'e2'), file('keep', 'e3'), folder('d'), file('d/f', 'e4')]);
    const local = localOf({ 'gone-remote': lfile('l1'), keep: lfile('l3') });
    expect(kinds(planSync(remote, local, state, opts('two-way')))).toEqual([
      'delete-remote d/f',
      'delete-local gone-remote',
      'delete-remote gone-local',
      'delete-remote d',
    ]);
  });

  it('keeps deletions under `keep`: nothing deleted, the gone side remembered, nothing brought back', () => {
    const state = stateOf(row('gone-remote', 'e1', 'l1'), row('gone-local', 'e2', 'l2'));
    const remote = remoteOf([file('gone-local', 'e2')]);
    const local = localOf({ 'gone-remote': lfile('l1') });
    const plan = planSync(remote, local, state, opts('two-way', { deletes: 'keep' }));
    expect(plan.actions).toEqual([
      { type: 'forget', path: 'gone-local', side: 'local' },
      { type: 'forget', path: 'gone-remote', side: 'remote' },
    ]);
    const after = stateOf(row('gone-remote', null, 'l1'), row('gone-local', 'e2', null));
    expect(kinds(planSync(remote, local, after, opts('two-way', { deletes: 'keep' })))).toEqual([]);
    // An edit after a kept deletion is sent again.
    expect(kinds(planSync(remoteOf([file('gone-local', 'e9')]), local, after, opts('two-way', { deletes: 'keep' })))).toEqual([
      'download gone-local',
    ]);
  });

  it('an edit wins over a deletion on the other side', () => {
    const state = stateOf(row('f', 'e1', 'l1'));
    expect(kinds(planSync(remoteOf([file('f', 'e2')]), localOf({ x: lfile('z') }), state, opts('two-way')))).toContain('download f');
    expect(kinds(planSync(remoteOf([file('x', 'z')]), localOf({ f: lfile('l2') }), state, opts('two-way')))).toContain('upload f');
  });

  it('only a complete, non-empty listing proves a deletion', () => {
    const state = stateOf(row('a', 'e1', 'l1'), row('b', 'e2', 'l2'));
    const local = localOf({ a: lfile('l1'), b: lfile('l2') });
    const incomplete = planSync(remoteOf([file('a', 'e1')], false), local, state, opts('two-way'));
    expect(incomplete.actions).toEqual([]);
    expect(incomplete.notes.join()).toMatch(/incomplete/);
    const empty = planSync(remoteOf([]), local, state, opts('two-way'));
    expect(empty.actions).toEqual([]);
    expect(empty.notes.join()).toMatch(/empty/);
    expect(kinds(planSync(remoteOf([file('a', 'e1')]), local, state, opts('two-way')))).toEqual(['delete-local b']);
  });

  it('stops a run that would delete more than sync.maxDeletePercent of a side', () => {
    const state = stateOf(row('a', 'e1', 'l1'), row('b', 'e2', 'l2'), row('c', 'e3', 'l3'));
    const local = localOf({ a: lfile('l1'), b: lfile('l2'), c: lfile('l3') });
    const plan = planSync(remoteOf([file('a', 'e1')]), local, state, opts('two-way', { maxDeletePercent: 50 }));
    expect(plan.actions).toEqual([]);
    expect(plan.stopped).toMatch(/2 of 3 local files/);
    expect(
      planSync(remoteOf([file('a', 'e1'), file('b', 'e2')]), local, state, opts('two-way', { maxDeletePercent: 50 })).stopped,
    ).toBeNull();
  });

  it('keys by NFC, keeps the remote spelling, and reports names that collide once normalised', () => {
    const nfd = 'Cafe\u0301.txt';
    const plan = planSync(
      remoteOf([file(nfd, 'e1')]),
      localOf({ 'Café.txt': lfile('l1') }),
      stateOf({ ...row('Café.txt', 'e1', 'l1'), remotePath: nfd }),
      opts('two-way'),
    );
    expect(plan.actions).toEqual([]);
    const edited = planSync(
      remoteOf([file(nfd, 'e1')]),
      localOf({ 'Café.txt': lfile('l2') }),
      stateOf({ ...row('Café.txt', 'e1', 'l1'), remotePath: nfd }),
      opts('two-way'),
    );
    expect(edited.actions).toEqual([{ type: 'upload', path: 'Café.txt', remotePath: nfd }]);
    // New local files under a remote NFD folder use the remote folder's spelling.
    const under = planSync(
      remoteOf([folder('Re\u0301sume\u0301')]),
      localOf({ Résumé: lfolder(), 'Résumé/a': lfile('x') }),
      new Map(),
      opts('two-way'),
    );
    expect(under.actions).toContainEqual({ type: 'upload', path: 'Résumé/a', remotePath: 'Re\u0301sume\u0301/a' });
    const both = planSync(remoteOf([file(nfd, 'e1'), file('Café.txt', 'e2')]), localOf({}), new Map(), opts('two-way'));
    expect(both.collisions).toEqual([['Café.txt', nfd].sort()]);
    expect(both.actions).toEqual([]);
  });

  it('leaves excluded paths alone on both sides', () => {
    expect(isExcluded('a/.DS_Store', ['.DS_Store'])).toBe(true);
    expect(isExcluded('cache/x/y', ['cache'])).toBe(true);
    expect(isExcluded('a/cache/x', ['/cache'])).toBe(false);
    const plan = planSync(
      remoteOf([file('x.tmp', 'e'), folder('cache'), file('cache/a', 'e')]),
      localOf({ 'y.tmp': lfile('l') }),
      new Map(),
      opts('two-way', { excludes: ['*.tmp', 'cache'] }),
    );
    expect(plan.actions).toEqual([]);
  });

  it('recognises a transfer that a killed run finished before recording it', () => {
    const pending = row('f', null, null, { pendingOp: 'download', pendingEtag: 'e1' });
    expect(kinds(planSync(remoteOf([file('f', 'e1')]), localOf({ f: lfile('l9') }), stateOf(pending), opts('two-way')))).toEqual([
      'adopt f',
    ]);
    const up = row('g', null, null, { pendingOp: 'upload', pendingEtag: 'l1' });
    expect(
      kinds(planSync(remoteOf([file('g', 'new', 3, T0 + 50_000)]), localOf({ g: lfile('l1') }), stateOf(up), opts('two-way'))),
    ).toEqual(['adopt g']);
    // Not finished (the local side never got the file): download again.
    expect(kinds(planSync(remoteOf([file('f', 'e1')]), localOf({}), stateOf(pending), opts('two-way')))).toEqual(['download f']);
  });

  it('drops the row of a path gone from both sides', () => {
    expect(
      planSync(
        remoteOf([file('z', 'e')]),
        localOf({ z: lfile('l') }),
        stateOf(row('z', 'e', 'l'), row('gone', 'e1', 'l1')),
        opts('two-way'),
      ).actions,
    ).toEqual([{ type: 'forget', path: 'gone', side: 'both' }]);
  });
});
