import { createHash, timingSafeEqual } from 'node:crypto';
import { encodeId, generatePassword } from '../../auth/index.js';
import {
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  formatPath,
  type EntryKind,
  type Principal,
  type User,
  type VPath,
} from '../../core/index.js';
import { isForeignKeyViolation, type Database, type ShareFields, type ShareRecord, type ShareRepository } from '../../db/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { UserService } from '../users/user.service.js';
import { IncorrectSharePasswordError, ShareNotFoundError, SharingNotAllowedError } from './share.errors.js';

/**
 * A share link as its owner and the services see it. Times are epoch milliseconds. Settings
 * and counters are the stored ones (ShareRecord), picked by name so a column added for the
 * server's own use does not reach the API unasked.
 */
export interface Share extends Pick<
  ShareRecord,
  'id' | 'entryId' | 'password' | 'expiresAt' | 'remainingDownloads' | 'downloads' | 'views' | 'shareView' | 'showReadme' | 'createdAt'
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

export interface ShareServiceOptions {
  readonly clock: () => number;
  /** The URL users reach the server at; links use the request's origin without it. */
  readonly publicUrl?: string;
}

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
  constructor(
    private readonly database: Database,
    private readonly shares: ShareRepository,
    private readonly users: UserService,
    private readonly vfs: Vfs,
    private readonly options: ShareServiceOptions,
  ) {}

  /** Shares the entry at `path` of the user's own tree. */
  async create(user: User, principal: Principal, path: VPath, settings: ShareSettings): Promise<Share> {
    const fields = await this.fieldsFor(user, principal, path, settings);
    const id = await this.database
      .transaction((tx) => this.shares.insert(tx, { ...fields, userId: user.id, now: this.options.clock() }))
      .catch(deletedMeanwhile(path));
    return this.get(id);
  }

  /** Replaces a share's target and settings (counters stay); someone else's share is not found. */
  async update(user: User, shareId: number, principal: Principal, path: VPath, settings: ShareSettings): Promise<Share> {
    await this.owned(user, shareId);
    const fields = await this.fieldsFor(user, principal, path, settings);
    const updated = await this.database
      .transaction((tx) => this.shares.update(tx, shareId, { ...fields, now: this.options.clock() }))
      .catch(deletedMeanwhile(path));
    if (!updated) throw new ShareNotFoundError('Share not found');
    return this.get(shareId);
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
  async delete(user: User, shareId: number): Promise<void> {
    const record = await this.database.read((db) => this.shares.byId(db, shareId));
    if (!record || (record.userId !== user.id && !(await this.users.groupOf(user)).permissions.admin)) {
      throw new ShareNotFoundError('Share not found');
    }
    await this.database.transaction((tx) => this.shares.delete(tx, shareId));
  }

  /** Deletes those of the shares that are the user's; others' ids are ignored, as Cloudreve does. */
  async deleteMany(user: User, shareIds: readonly number[]): Promise<void> {
    await this.database.transaction((tx) => this.shares.deleteOwned(tx, user.id, shareIds));
  }

  /**
   * The share-info page (Cloudreve's `GET /share/info/:id`): the share if it still opens,
   * whether the caller has unlocked it (no password, the right one, or the owner), and its
   * owner. With `countViews` the visit is counted.
   */
  async info(shareId: number, visitor: { password?: string; userId?: number; countViews?: boolean }) {
    const record = await this.database.read((db) => this.shares.byId(db, shareId));
    if (!record) throw new ShareNotFoundError('Share not found');
    const share = this.present(record);
    const owner = await this.activeOwner(record);
    if (share.expired || !owner) throw new ShareNotFoundError('Share link expired');
    if (visitor.countViews) await this.database.transaction((tx) => this.shares.addView(tx, shareId));
    const unlocked = share.password === null || visitor.userId === share.ownerId || samePassword(share.password, visitor.password);
    return { share: visitor.countViews ? { ...share, views: share.views + 1 } : share, owner, unlocked };
  }

  /**
   * Opens a share for a visitor (contract section 17): a missing, expired or exhausted share,
   * or one whose owner is disabled, is not found; a wrong or missing password is refused.
   * The principal is read-only and rooted at the shared entry, so nothing above it can be
   * named (DESIGN.md decision 4).
   */
  async open(shareId: number, password: string | null): Promise<OpenedShare> {
    const record = await this.database.read((db) => this.shares.byId(db, shareId));
    if (!record) throw new ShareNotFoundError('Shared file does not exist');
    const share = this.present(record);
    const owner = share.expired ? null : await this.activeOwner(record);
    if (!owner) throw new ShareNotFoundError('Shared file does not exist');
    if (share.password !== null && !samePassword(share.password, password ?? undefined)) throw new IncorrectSharePasswordError();
    const principal = await this.users.principalFor(owner, { rootId: record.entryId, readOnly: true, label: `share:${record.id}` });
    return { share, owner, principal };
  }

  /**
   * Counts one download of a shared file and enforces the download limit: call it once per
   * download URL handed out for a file reached through a share. Throws ShareNotFoundError
   * when the share has expired, has no downloads left, or is gone; nothing is counted then.
   */
  async recordDownload(shareId: number): Promise<void> {
    const counted = await this.database.transaction((tx) => this.shares.takeDownload(tx, shareId, this.options.clock()));
    if (!counted) throw new ShareNotFoundError('Shared file does not exist (expired, or no downloads left)');
  }

  /** The configured public URL links start with, if any (else the caller's origin). */
  get publicUrl(): string | undefined {
    return this.options.publicUrl;
  }

  /** Contract section 17: `{site}/s/{id}` or `{site}/s/{id}/{password}`; `site` is the public URL when configured. */
  link(share: Pick<Share, 'id' | 'password'>, origin: string, withPassword = true): string {
    const base = (this.options.publicUrl ?? origin).replace(/\/+$/, '');
    const password = withPassword && share.password ? `/${share.password}` : '';
    return `${base}/s/${encodeId('share', share.id)}${password}`;
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
      password: passwordOf(settings),
      expiresAt: expiryOf(settings.expireSeconds, this.options.clock()),
      remainingDownloads: downloadsOf(settings.downloads),
      shareView: settings.shareView ?? false,
      showReadme: settings.showReadme ?? false,
    };
  }

  private async owned(user: User, shareId: number): Promise<ShareRecord> {
    const record = await this.database.read((db) => this.shares.byId(db, shareId));
    if (!record || record.userId !== user.id) throw new ShareNotFoundError('Share not found');
    return record;
  }

  private async activeOwner(record: ShareRecord): Promise<User | null> {
    const owner = await this.users.get(record.userId).catch(() => null);
    return owner?.status === 'active' ? owner : null;
  }

  private present(record: ShareRecord): Share {
    const now = this.options.clock();
    return {
      id: record.id,
      ownerId: record.userId,
      entryId: record.entryId,
      name: record.entry.name,
      kind: record.entry.kind,
      size: record.entry.kind === 'file' ? record.entry.size : 0,
      password: record.password,
      expiresAt: record.expiresAt,
      remainingDownloads: record.remainingDownloads,
      downloads: record.downloads,
      views: record.views,
      shareView: record.shareView,
      showReadme: record.showReadme,
      createdAt: record.createdAt,
      expired:
        (record.expiresAt !== null && record.expiresAt <= now) || (record.remainingDownloads !== null && record.remainingDownloads <= 0),
    };
  }
}

/** The entry was deleted between looking it up and saving the share: the foreign key refused it. */
function deletedMeanwhile(path: VPath) {
  return (error: unknown): never => {
    if (isForeignKeyViolation(error)) throw new NotFoundError(`${formatPath(path)} was deleted meanwhile`);
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
function samePassword(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
