import { createHash, timingSafeEqual } from 'node:crypto';
import { generatePassword, type LoginThrottle, type SecretBox } from '../../auth/index.js';
import {
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  type EntryKind,
  type Principal,
  type User,
  type VPath,
} from '../../core/index.js';
import { isForeignKeyViolation, type Database, type ShareFields, type ShareRecord, type ShareRepository } from '../../db/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { UserService } from '../users/user.service.js';
import { SHARE_PASSWORD } from './share.passwords.js';
import { IncorrectSharePasswordError, SHARE_GONE, ShareNotFoundError, SharingNotAllowedError } from './share.errors.js';

/**
 * A share link as its owner and the services see it. Times are epoch milliseconds. Settings
 * and counters are the stored ones (ShareRecord), picked by name so a column added for the
 * server's own use does not reach the API unasked.
 */
export interface Share extends Pick<
  ShareRecord,
  | 'id'
  | 'key'
  | 'entryId'
  | 'password'
  | 'expiresAt'
  | 'remainingDownloads'
  | 'downloads'
  | 'views'
  | 'shareView'
  | 'showReadme'
  | 'revision'
  | 'createdAt'
> {
  readonly ownerId: number;
  /** The shared entry's current name, kind and size: a share follows its entry by id. */
  readonly name: string;
  readonly kind: EntryKind;
  readonly size: number;
  /** Past its expiry or out of downloads: the link no longer opens. */
  readonly expired: boolean;
}

/** What the owner sets (contract section 17, Cloudreve's `PUT /share` body). */
export interface ShareSettings {
  /** 1 to 32 letters and digits; a password makes the share private. */
  readonly password?: string;
  /** Private without a password: one is generated (8 characters of [0-9a-z]). */
  readonly isPrivate?: boolean;
  /** More than 0: the link stops working after this many downloads. */
  readonly downloads?: number;
  /** More than 0: the link stops working this many seconds from now. */
  readonly expireSeconds?: number;
  readonly shareView?: boolean;
  readonly showReadme?: boolean;
}

/** A share opened by a visitor: a read-only view jailed at the shared entry. */
export interface OpenedShare {
  readonly share: Share;
  readonly owner: User;
  /** Rooted at the shared entry itself (a folder, or the one shared file). */
  readonly principal: Principal;
}

/** Who is knocking: password guesses are throttled per share and per address. */
export interface ShareVisitor {
  /** The client's address (the real peer unless the proxy is trusted). */
  readonly address: string;
}

/** A share's downloads to count at once (one POST /file/url), at the revision its files were reached through. */
export interface DownloadTake {
  readonly shareId: number;
  readonly revision: number;
  readonly count: number;
}

export interface ShareServiceOptions {
  readonly clock: () => number;
  /** Seals passwords at rest: a database dump does not reveal them; links still carry them. */
  readonly secrets: SecretBox;
  /** The URL users reach the server at; links use the request's origin without it. */
  readonly publicUrl?: string;
  /** A new link key; random by default (KEY_LENGTH characters of [0-9A-Za-z]). */
  readonly newKey?: () => string;
}

/** 20 characters of 62: about 119 bits, so links cannot be found by guessing. */
const KEY_LENGTH = 20;
const KEY_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** What may be a link key; anything else is not looked up. */
const KEY = /^[0-9A-Za-z]{1,64}$/;

const PASSWORD = /^[0-9A-Za-z]{1,32}$/;
const GENERATED_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Expiries further out than this are refused rather than overflowing a date. */
const MAX_EXPIRE_SECONDS = 100 * 365 * 24 * 3600;
const MAX_DOWNLOADS = 2 ** 31 - 1;

/**
 * Share links (contract section 17): who may create them (the group's "share" permission),
 * their settings and counters, and opening one as a visitor. A share points at its entry by
 * id, so renames and moves keep it; deleting the entry deletes the share.
 */
export class ShareService {
  private readonly newKey: () => string;

  constructor(
    private readonly database: Database,
    private readonly shares: ShareRepository,
    private readonly users: UserService,
    private readonly vfs: Vfs,
    /** Password guesses, shared by every process: per address, per share from an address, per share. */
    private readonly throttle: LoginThrottle,
    private readonly options: ShareServiceOptions,
  ) {
    this.newKey = options.newKey ?? (() => generatePassword(KEY_LENGTH, KEY_ALPHABET));
  }

  /** Shares the entry at `path` of the user's own tree, under a new random link key. */
  async create(user: User, principal: Principal, path: VPath, settings: ShareSettings): Promise<Share> {
    const fields = await this.fieldsFor(user, principal, path, settings);
    const id = await this.database
      .transaction((tx) => this.shares.insert(tx, { ...fields, key: this.newKey(), userId: user.id, now: this.options.clock() }))
      .catch(deletedMeanwhile());
    return this.get(id);
  }

  /**
   * Replaces a share's target and settings (counters and key stay; the revision moves on, so
   * download URLs made before stop working); someone else's share is not found.
   */
  async update(user: User, key: string, principal: Principal, path: VPath, settings: ShareSettings): Promise<Share> {
    const { id } = await this.owned(user, key);
    const fields = await this.fieldsFor(user, principal, path, settings);
    const updated = await this.database
      .transaction((tx) => this.shares.update(tx, id, { ...fields, now: this.options.clock() }))
      .catch(deletedMeanwhile());
    if (!updated) throw new ShareNotFoundError('Share not found');
    return this.get(id);
  }

  async get(shareId: number): Promise<Share> {
    const record = await this.database.read((db) => this.shares.byId(db, shareId));
    if (!record) throw new ShareNotFoundError('Share not found');
    return this.present(record);
  }

  /** One page of the user's shares in creation order; `next` is where the following page starts. */
  async list(
    userId: number,
    page: { after?: number; direction: 'asc' | 'desc'; limit: number },
  ): Promise<{ shares: Share[]; next: number | null }> {
    const rows = await this.database.read((db) =>
      this.shares.listByUser(db, userId, { afterId: page.after, direction: page.direction, limit: page.limit + 1 }),
    );
    const shares = rows.slice(0, page.limit).map((row) => this.present(row));
    return { shares, next: rows.length > page.limit ? shares[shares.length - 1]!.id : null };
  }

  /** Deletes a share of the user's (any share for an administrator). */
  async delete(user: User, key: string): Promise<void> {
    const record = await this.byKey(key);
    if (!record || (record.userId !== user.id && !(await this.users.groupOf(user)).permissions.admin)) {
      throw new ShareNotFoundError('Share not found');
    }
    await this.database.transaction((tx) => this.shares.delete(tx, record.id));
  }

  /** Deletes those of the shares that are the user's; others' keys are ignored, as Cloudreve does. */
  async deleteMany(user: User, keys: readonly string[]): Promise<void> {
    await this.database.transaction((tx) => this.shares.deleteOwned(tx, user.id, keys));
  }

  /**
   * The share-info page (Cloudreve's `GET /share/info/:id`): the share if it still opens,
   * whether the caller has unlocked it (no password, the right one, or the owner), and its
   * owner. With `countViews` the visit is counted. A password given is a guess, throttled as
   * `open` throttles them (`unlocked` tells whether it was right).
   */
  async info(key: string, visitor: ShareVisitor & { password?: string; userId?: number; countViews?: boolean }) {
    const { record, share, owner } = await this.live(key);
    const given = visitor.password;
    const unlocked =
      share.password === null ||
      visitor.userId === share.ownerId ||
      (given ? await this.guess(record.id, share.password, given, visitor) : false);
    if (visitor.countViews) await this.database.transaction((tx) => this.shares.addView(tx, record.id));
    return { share: visitor.countViews ? { ...share, views: share.views + 1 } : share, owner, unlocked };
  }

  /**
   * Opens a share for a visitor (contract section 17): a missing, expired or exhausted share,
   * or one whose owner is disabled, is not found (one answer for all: the link tells nothing
   * of why it stopped working); a wrong or missing password is refused, and after too many
   * wrong ones every password is, for a while. The principal is read-only and rooted at the
   * shared entry, so nothing above it can be named (DESIGN.md decision 4).
   */
  async open(key: string, password: string | null, visitor: ShareVisitor): Promise<OpenedShare> {
    const { record, share, owner } = await this.live(key);
    if (share.password !== null && !(password && (await this.guess(record.id, share.password, password, visitor)))) {
      throw new IncorrectSharePasswordError();
    }
    const principal = await this.users.principalFor(owner, {
      rootId: record.entryId,
      readOnly: true,
      label: `share:${record.id}`,
      lockHolder: null,
    });
    return { share, owner, principal };
  }

  /**
   * Counts the downloads of one request for download URLs (Cloudreve counts when it hands out
   * a URL) and enforces the limits, in one transaction. A share is counted whole or not at all:
   * it is refused when it has changed since its files were reached (another revision), has
   * expired or is gone, or has fewer downloads left than asked. Answers the refused shares'
   * ids; with `allOrNothing`, one refusal leaves every share uncounted.
   */
  async recordDownloads(takes: readonly DownloadTake[], options: { allOrNothing: boolean }): Promise<Set<number>> {
    const refused = new Set<number>();
    if (takes.length === 0) return refused;
    const now = this.options.clock();
    const rollback = new Error('rollback');
    await this.database
      .transaction(async (tx) => {
        for (const take of takes) {
          if (!(await this.shares.takeDownloads(tx, take.shareId, { count: take.count, revision: take.revision, now }))) {
            refused.add(take.shareId);
          }
        }
        if (options.allOrNothing && refused.size > 0) throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    return refused;
  }

  /**
   * Whether a download URL signed through a share still works: the share exists at the same
   * revision (not edited since), has not expired, and its owner is active. Downloads left are
   * not asked: the URL's download was counted when it was handed out.
   */
  async stillServes(shareId: number, revision: number): Promise<boolean> {
    const record = await this.database.read((db) => this.shares.byId(db, shareId));
    if (!record || record.revision !== revision) return false;
    if (record.expiresAt !== null && record.expiresAt <= this.options.clock()) return false;
    return (await this.activeOwner(record)) !== null;
  }

  /** The configured public URL links start with, if any (else the caller's origin). */
  get publicUrl(): string | undefined {
    return this.options.publicUrl;
  }

  /** Contract section 17: `{site}/s/{key}` or `{site}/s/{key}/{password}`; `site` is the public URL when configured. */
  link(share: Pick<Share, 'key' | 'password'>, origin: string, withPassword = true): string {
    const base = (this.options.publicUrl ?? origin).replace(/\/+$/, '');
    const password = withPassword && share.password ? `/${share.password}` : '';
    return `${base}/s/${share.key}${password}`;
  }

  private async fieldsFor(user: User, principal: Principal, path: VPath, settings: ShareSettings): Promise<ShareFields> {
    const group = await this.users.groupOf(user);
    if (!group.permissions.share) throw new SharingNotAllowedError(`The group ${group.name} may not create share links`);
    if (principal.userId !== user.id) throw new ForbiddenError('Only the owner of a file can share it');
    if (path.length === 0) throw new ForbiddenError('Not supported action: the root folder cannot be shared');
    const entry = await this.vfs.stat(principal, path);
    if (entry.ownerId !== user.id) throw new ForbiddenError('Only the owner of a file can share it');
    return {
      entryId: entry.id,
      password: this.sealed(passwordOf(settings)),
      expiresAt: expiryOf(settings.expireSeconds, this.options.clock()),
      remainingDownloads: downloadsOf(settings.downloads),
      shareView: settings.shareView ?? false,
      showReadme: settings.showReadme ?? false,
    };
  }

  private sealed(password: string | null): string | null {
    return password === null ? null : this.options.secrets.seal(password, SHARE_PASSWORD);
  }

  private async owned(user: User, key: string): Promise<ShareRecord> {
    const record = await this.byKey(key);
    if (!record || record.userId !== user.id) throw new ShareNotFoundError('Share not found');
    return record;
  }

  private byKey(key: string): Promise<ShareRecord | null> {
    if (!KEY.test(key)) return Promise.resolve(null);
    return this.database.read((db) => this.shares.byKey(db, key));
  }

  /** A share that still opens: it exists, has not expired or run out of downloads, and its owner is active. */
  private async live(key: string): Promise<{ record: ShareRecord; share: Share; owner: User }> {
    const record = await this.byKey(key);
    const share = record && this.present(record);
    const owner = record && !share!.expired ? await this.activeOwner(record) : null;
    if (!record || !owner) throw new ShareNotFoundError(SHARE_GONE);
    return { record, share: share!, owner };
  }

  /**
   * Checks a password guess, throttled as sign-ins are (LoginThrottle, scope 'share'): an
   * address that guessed wrong too often, on this share or on any, is refused (RateLimited)
   * for the window, the right password included; a visitor from an address that has not
   * been guessing is never refused because others guessed.
   */
  private async guess(shareId: number, expected: string, given: string, visitor: ShareVisitor): Promise<boolean> {
    const attempt = await this.throttle.attempt(
      'share',
      `share:${shareId}`,
      visitor.address,
      (seconds) => `Too many wrong share passwords; try again in ${seconds} seconds`,
    );
    if (samePassword(expected, given)) {
      await attempt.succeeded();
      return true;
    }
    await attempt.failed();
    return false;
  }

  private async activeOwner(record: ShareRecord): Promise<User | null> {
    const owner = await this.users.get(record.userId).catch(() => null);
    return owner?.status === 'active' ? owner : null;
  }

  private present(record: ShareRecord): Share {
    const now = this.options.clock();
    return {
      id: record.id,
      key: record.key,
      ownerId: record.userId,
      entryId: record.entryId,
      name: record.entry.name,
      kind: record.entry.kind,
      size: record.entry.kind === 'file' ? record.entry.size : 0,
      password: record.password === null ? null : this.options.secrets.reveal(record.password, SHARE_PASSWORD),
      expiresAt: record.expiresAt,
      remainingDownloads: record.remainingDownloads,
      downloads: record.downloads,
      views: record.views,
      shareView: record.shareView,
      showReadme: record.showReadme,
      revision: record.revision,
      createdAt: record.createdAt,
      expired:
        (record.expiresAt !== null && record.expiresAt <= now) || (record.remainingDownloads !== null && record.remainingDownloads <= 0),
    };
  }
}

/** The entry was deleted between looking it up and saving the share: the foreign key refused it. */
function deletedMeanwhile() {
  return (error: unknown): never => {
    if (isForeignKeyViolation(error)) throw new NotFoundError('The file or folder was deleted meanwhile');
    throw error;
  };
}

/** A given password makes the share private; private without one gets a generated one. */
function passwordOf(settings: ShareSettings): string | null {
  const given = settings.password ?? '';
  if (given !== '') {
    if (!PASSWORD.test(given)) throw new InvalidArgumentError('A share password must be 1 to 32 letters and digits');
    return given;
  }
  if (!settings.isPrivate) return null;
  return generatePassword(8, GENERATED_ALPHABET);
}

function expiryOf(seconds: number | undefined, now: number): number | null {
  if (seconds === undefined || seconds <= 0) return null;
  if (!Number.isSafeInteger(seconds) || seconds > MAX_EXPIRE_SECONDS) {
    throw new InvalidArgumentError(`A share can expire at most ${MAX_EXPIRE_SECONDS} seconds (100 years) from now`);
  }
  return now + seconds * 1000;
}

function downloadsOf(downloads: number | undefined): number | null {
  if (downloads === undefined || downloads <= 0) return null;
  if (!Number.isSafeInteger(downloads) || downloads > MAX_DOWNLOADS) {
    throw new InvalidArgumentError(`A download limit can be at most ${MAX_DOWNLOADS}`);
  }
  return downloads;
}

/** Compares in constant time, so response timing does not reveal how much of a guess was right. */
function samePassword(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
