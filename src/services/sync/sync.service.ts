import type { SecretBox } from '../../auth/index.js';
import { InvalidArgumentError, NotFoundError, parsePath } from '../../core/index.js';
import type { Database, SyncAccountRecord, SyncPairRecord, SyncRepository, SyncStateRecord } from '../../db/index.js';
import { DavTransport, type WebDavTimeouts } from '../../storage/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { UserService } from '../users/user.service.js';
import { LocalTree } from './local-tree.js';
import { RemoteFolder } from './remote-folder.js';
import { indexRemote } from './sync.names.js';
import { planSync } from './sync.planner.js';
import { executePlan, type RunSummary } from './sync.runner.js';
import { SYNC_DELETES, SYNC_DIRECTIONS, type SyncDeletes, type SyncDirection, type SyncPlan } from './sync.types.js';

/** The sealing purpose of remote passwords: a value sealed for another use does not open here. */
const PASSWORD_PURPOSE = 'sync remote password';

export interface SyncServiceOptions {
  readonly clock: () => number;
  readonly maxDeletePercent: number;
  readonly fileAttempts: number;
  readonly retryBaseMs: number;
  readonly timeouts: WebDavTimeouts;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The undici connect options for an account (the address check of users' remotes); throws for a URL it may not reach. */
  readonly connectFor?: (account: SyncAccountRecord) => object | undefined;
}

export interface NewSyncPairRequest {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly remotePath: string;
  readonly localPath: string;
  readonly direction: string;
  readonly deletes?: string;
  readonly intervalSeconds?: number | null;
  readonly excludes?: readonly string[];
  /** Set by the CLI: the operator's pairs may reach any address. */
  readonly anyAddress?: boolean;
}

/** A pair as every surface shows it: never the password. */
export interface SyncPairView extends Omit<SyncPairRecord, 'accountId'> {
  readonly url: string;
  readonly username: string | null;
  readonly hasPassword: boolean;
}

export interface SyncRunResult {
  readonly pairId: number;
  readonly dryRun: boolean;
  readonly plan: SyncPlan;
  readonly summary: RunSummary | null;
  readonly remoteErrors: string[];
}

/**
 * Pairs of a remote WebDAV folder and a local folder, kept in step (issue 13): accounts with
 * sealed passwords, pairs per user, and runs (listing both sides, planning, carrying out).
 * A `userId` given to a method limits it to that user's pairs (the API); the CLI passes none.
 */
export class SyncService {
  constructor(
    private readonly database: Database,
    private readonly repo: SyncRepository,
    private readonly users: UserService,
    private readonly vfs: Vfs,
    private readonly secrets: Pick<SecretBox, 'seal' | 'reveal'>,
    private readonly options: SyncServiceOptions,
  ) {}

  async add(userId: number, request: NewSyncPairRequest): Promise<SyncPairView> {
    const url = remoteUrl(request.url);
    const direction = oneOf<SyncDirection>(request.direction, SYNC_DIRECTIONS, 'direction');
    const deletes = oneOf<SyncDeletes>(request.deletes ?? 'propagate', SYNC_DELETES, 'deletes');
    const localPath = parsePath(request.localPath);
    const interval = request.intervalSeconds ?? null;
    if (interval !== null && (!Number.isInteger(interval) || interval < 60)) {
      throw new InvalidArgumentError('The interval must be a whole number of seconds, at least 60');
    }
    await this.users.get(userId);
    const now = this.options.clock();
    const id = await this.database.transaction(async (tx) => {
      const accountId = await this.repo.insertAccount(tx, {
        userId,
        url: url.href,
        username: request.username ?? null,
        passwordSealed: request.password ? this.secrets.seal(request.password, PASSWORD_PURPOSE) : null,
        anyAddress: request.anyAddress ?? false,
        createdAt: now,
      });
      return this.repo.insertPair(tx, {
        accountId,
        userId,
        remotePath: `/${request.remotePath.split('/').filter(Boolean).join('/')}`,
        localPath: `/${localPath.join('/')}`,
        direction,
        deletes,
        intervalSeconds: interval,
        excludes: [...(request.excludes ?? [])],
        createdAt: now,
      });
    });
    return this.get(id);
  }

  async list(userId?: number): Promise<SyncPairView[]> {
    const pairs = await this.database.read((db) => this.repo.pairs(db, userId));
    return Promise.all(pairs.map((pair) => this.view(pair)));
  }

  async get(id: number, userId?: number): Promise<SyncPairView> {
    return this.view(await this.pairOf(id, userId));
  }

  async setPaused(id: number, paused: boolean, userId?: number): Promise<SyncPairView> {
    await this.pairOf(id, userId);
    await this.database.transaction((tx) => this.repo.setPaused(tx, id, paused));
    return this.get(id);
  }

  async remove(id: number, userId?: number): Promise<void> {
    await this.pairOf(id, userId);
    await this.database.transaction((tx) => this.repo.removePair(tx, id));
  }

  async state(id: number, userId?: number): Promise<SyncStateRecord[]> {
    await this.pairOf(id, userId);
    return this.database.read((db) => this.repo.states(db, id));
  }

  /** Claims the pair for one run (false while another process runs it) until `until`. */
  async claim(id: number, token: string, until: number): Promise<boolean> {
    return this.database.transaction((tx) => this.repo.claimRun(tx, id, token, this.options.clock(), until));
  }

  async release(id: number, token: string): Promise<void> {
    await this.database.transaction((tx) => this.repo.releaseRun(tx, id, token));
  }

  /**
   * Lists both sides, plans, and (unless `dryRun`) carries the plan out. The outcome is recorded
   * on the pair: a failure is shown and retried, never a reason to switch the pair off.
   */
  async run(
    id: number,
    run: { dryRun?: boolean; signal?: AbortSignal; progress?: (done: number, total: number, message: string) => Promise<void> } = {},
  ): Promise<SyncRunResult> {
    const pair = await this.pairOf(id);
    const account = await this.database.read((db) => this.repo.account(db, pair.accountId));
    if (!account) throw new NotFoundError(`The account of sync pair ${id} is gone`);
    let connect: object | undefined;
    try {
      connect = this.options.connectFor?.(account);
    } catch (error) {
      await this.record(id, 'error', [(error as Error).message], null);
      throw error;
    }
    const transport = new DavTransport(
      new URL(account.url),
      {
        username: account.username ?? undefined,
        password: account.passwordSealed ? this.secrets.reveal(account.passwordSealed, PASSWORD_PURPOSE) : undefined,
      },
      this.options.timeouts,
      connect,
    );
    const dryRun = run.dryRun ?? false;
    try {
      const remote = new RemoteFolder(transport, remoteFolderUrl(account.url, pair.remotePath));
      const local = new LocalTree(this.vfs, await this.users.principalFor(await this.users.get(pair.userId)), parsePath(pair.localPath));
      const listing = await remote.list(run.signal, pair.direction !== 'download' && !dryRun);
      const localItems = await local.list(run.signal);
      const rows = await this.database.read((db) => this.repo.states(db, id));
      const state = new Map(rows.map((row) => [row.path, row]));
      const plan = planSync(indexRemote(listing.items, listing.complete), { items: localItems, complete: true }, state, {
        direction: pair.direction as SyncDirection,
        deletes: pair.deletes as SyncDeletes,
        excludes: pair.excludes,
        maxDeletePercent: this.options.maxDeletePercent,
      });
      if (dryRun) return { pairId: id, dryRun, plan, summary: null, remoteErrors: listing.errors };
      const summary = plan.stopped
        ? null
        : await executePlan(plan.actions, {
            remote,
            local,
            remoteItems: indexRemote(listing.items, listing.complete).items,
            localItems,
            state,
            retry: { attempts: this.options.fileAttempts, baseMs: this.options.retryBaseMs },
            sleep: this.options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
            signal: run.signal,
            progress: run.progress ?? (async () => undefined),
            store: {
              save: (row) => this.database.transaction((tx) => this.repo.saveState(tx, id, row, this.options.clock())),
              drop: (path) => this.database.transaction((tx) => this.repo.deleteState(tx, id, path)),
            },
          });
      const problems = [...(plan.stopped ? [plan.stopped] : []), ...listing.errors, ...(summary?.errors ?? [])];
      await this.record(id, problems.length === 0 ? 'ok' : plan.stopped ? 'stopped' : 'error', problems, {
        done: summary?.done ?? {},
        failed: summary?.failed ?? 0,
        bytes: summary?.bytes ?? 0,
        collisions: plan.collisions,
        notes: plan.notes,
      });
      return { pairId: id, dryRun, plan, summary, remoteErrors: listing.errors };
    } catch (error) {
      if (!run.signal?.aborted) await this.record(id, 'error', [(error as Error).message], null);
      throw error;
    } finally {
      await transport.close();
    }
  }

  private async record(id: number, status: string, problems: string[], summary: unknown): Promise<void> {
    const error =
      problems.length === 0 ? null : problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : '');
    await this.database.transaction((tx) => this.repo.recordRun(tx, id, { at: this.options.clock(), status, error, summary }));
  }

  private async pairOf(id: number, userId?: number): Promise<SyncPairRecord> {
    const pair = await this.database.read((db) => this.repo.pair(db, id));
    if (!pair || (userId !== undefined && pair.userId !== userId)) throw new NotFoundError(`There is no sync pair ${id}`);
    return pair;
  }

  private async view(pair: SyncPairRecord): Promise<SyncPairView> {
    const account = await this.database.read((db) => this.repo.account(db, pair.accountId));
    const { accountId: _accountId, ...rest } = pair;
    return { ...rest, url: account?.url ?? '', username: account?.username ?? null, hasPassword: Boolean(account?.passwordSealed) };
  }
}

function remoteUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('The remote URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('The remote URL must be http or https');
  if (url.username || url.password) throw new InvalidArgumentError('Give the remote user and password apart, not in the URL');
  return url;
}

function remoteFolderUrl(account: string, remotePath: string): URL {
  const base = new URL(account.endsWith('/') ? account : `${account}/`);
  const relative = remotePath.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return new URL(relative ? `${relative}/` : '', base);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`The ${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}
