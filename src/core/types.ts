/** Pure domain types shared by every layer. No I/O here. */

export type EntryKind = 'file' | 'folder';

/** One node of a user's tree, as the vfs hands it out. Times are epoch milliseconds. */
export interface Entry {
  readonly id: number;
  readonly parentId: number | null;
  readonly ownerId: number;
  readonly name: string;
  readonly kind: EntryKind;
  /** Bytes for a file; 0 for a folder (folder sizes are computed on demand). */
  readonly size: number;
  readonly blobId: string | null;
  /** Hex SHA-256 of the content; null for folders. */
  readonly sha256: string | null;
  /** Hex SHA-1, for clients that compare it (rclone over WebDAV); null for folders. */
  readonly sha1: string | null;
  readonly mtime: number;
  readonly ctime: number;
  /** Strong entity tag without quotes; changes on every content change. */
  readonly etag: string;
}

export type UserStatus = 'active' | 'disabled';

export interface GroupPermissions {
  /** May the group's members use WebDAV accounts. */
  readonly webdav: boolean;
  /** May they create share links. */
  readonly share: boolean;
  /** Are old contents kept as versions on overwrite. */
  readonly versions: boolean;
  /** Administrators manage users, groups and settings. */
  readonly admin: boolean;
}

export interface Group {
  readonly id: number;
  readonly name: string;
  readonly permissions: GroupPermissions;
  /** Bytes each member may store; null means no limit. */
  readonly maxStorage: number | null;
  /** Storage policy ids members may upload into; the first is their default. */
  readonly storagePolicyIds: readonly number[];
  readonly builtIn: boolean;
  readonly createdAt: number;
}

export interface User {
  readonly id: number;
  readonly email: string;
  readonly displayName: string;
  readonly groupId: number;
  readonly status: UserStatus;
  readonly storageUsed: number;
  readonly rootId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What a request acts as, turned by the vfs into a view with a root and rights. */
export interface Principal {
  readonly userId: number;
  /** The entry the view is jailed to: the user's root or a WebDAV account's folder. */
  readonly rootId: number;
  readonly readOnly: boolean;
  /** Bytes the user may store in all; null means no limit. */
  readonly quota: number | null;
  /** Where new files go unless their folder is bound to another storage policy. */
  readonly storagePolicyId: number;
  /** A label for logs: "user:3", "dav:7", "share:abc". */
  readonly label: string;
  /**
   * Who the locks this principal takes belong to, and whose lock tokens it may write with:
   * "dav:<account id>" for a WebDAV account, "user:<user id>" for the signed-in user over the
   * API. Null for share links and download grants, which cannot lock.
   */
  readonly lockHolder: string | null;
  /**
   * Set for a WebDAV account created with "redirect downloads": its GETs of files on a
   * redirect policy answer 302 to a presigned URL. Everyone else is proxied.
   */
  readonly redirectDownloads?: boolean;
}

export type SortField = 'name' | 'size' | 'modified' | 'created';
export type SortDirection = 'asc' | 'desc';
