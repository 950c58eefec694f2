import type { ColumnType, Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Booleans are stored as 0/1 integers and times as epoch
 * milliseconds in both SQLite and PostgreSQL, so that one set of queries serves both.
 */
export interface Tables {
  settings: SettingsTable;
  storage_policies: StoragePoliciesTable;
  groups: GroupsTable;
  users: UsersTable;
  blobs: BlobsTable;
  entries: EntriesTable;
  dav_accounts: DavAccountsTable;
  dead_properties: DeadPropertiesTable;
  locks: LocksTable;
  sessions: SessionsTable;
  upload_sessions: UploadSessionsTable;
  upload_chunks: UploadChunksTable;
  shares: SharesTable;
  jobs: JobsTable;
  shared_versions: SharedVersionsTable;
  throttles: ThrottlesTable;
  folder_policies: FolderPoliciesTable;
  user_groups: UserGroupsTable;
  mounts: MountsTable;
  media: MediaTable;
  file_versions: FileVersionsTable;
  trash: TrashTable;
  departures: DeparturesTable;
  photo_libraries: PhotoLibrariesTable;
  photo_changes: PhotoChangesTable;
  sync_accounts: SyncAccountsTable;
  sync_pairs: SyncPairsTable;
  sync_state: SyncStateTable;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface StoragePoliciesTable {
  id: Generated<number>;
  name: string;
  /** 'local' for now; 's3' and 'webdav' come with their backends. */
  type: string;
  /** JSON object of backend-specific settings. */
  settings: string;
  created_at: number;
}

export interface GroupsTable {
  id: Generated<number>;
  name: string;
  /** JSON object: GroupPermissions. */
  permissions: string;
  max_storage: number | null;
  /** JSON array of storage policy ids. */
  storage_policy_ids: string;
  built_in: number;
  created_at: number;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  display_name: string;
  password_hash: string;
  group_id: number;
  status: string;
  storage_used: ColumnType<number, number | undefined, number>;
  root_id: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * An immutable piece of content in a storage policy. 'pending' while it is being written
 * (gc removes pending blobs whose writer went quiet), 'ready' once durable. `ref_count` is
 * the number of entries pointing at it; the row goes when it reaches zero.
 */
export interface BlobsTable {
  id: string;
  policy_id: number;
  storage_key: string;
  size: number;
  sha256: string | null;
  sha1: string | null;
  state: string;
  ref_count: number;
  created_at: number;
  /** Last sign of life from the writer of a pending blob. */
  touched_at: number;
  /** The bytes of a small blob, kept in the row; null when they live in the storage policy. */
  content: Buffer | null;
}

export interface EntriesTable {
  id: Generated<number>;
  parent_id: number | null;
  owner_id: number;
  name: string;
  kind: string;
  size: number;
  blob_id: string | null;
  mtime: number;
  ctime: number;
  etag: string;
  /** Set on every row of a mounted tree (see the 20261207T0800_mounts migration). */
  mount_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** A member's folder standing for a mount's root entry. */
  link_to: ColumnType<number | null, number | null | undefined, number | null>;
  disk_ino: ColumnType<string | null, string | null | undefined, string | null>;
  disk_mtime_ns: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DavAccountsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  key_id: string;
  secret_hash: string;
  root_id: number;
  read_only: number;
  expires_at: number | null;
  last_used_at: number | null;
  created_at: number;
  /** 1: GETs of files on a redirect policy answer 302 to a presigned URL. */
  redirect_downloads: Generated<number>;
}

/** A WebDAV dead property: `value` is the property element serialised as an XML fragment. */
export interface DeadPropertiesTable {
  entry_id: number;
  namespace: string;
  name: string;
  value: string;
}

export interface LocksTable {
  token: string;
  entry_id: number;
  user_id: number;
  scope: string;
  depth: string;
  owner: string | null;
  timeout_seconds: number;
  expires_at: number;
  created_at: number;
  /** The principal that took the lock ("dav:7", "user:3"); null on rows from before it was kept. */
  holder: string | null;
}

/** An API sign-in: a refresh-token family (see the 20261123T0300_sessions migration). */
export interface SessionsTable {
  id: string;
  user_id: number;
  token_id: string;
  generation: number;
  user_agent: string | null;
  address: string | null;
  created_at: number;
  refreshed_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** The refresh token the last rotation replaced (for the grace period of concurrent refreshes). */
  previous_token_id: string | null;
}

/** A REST API upload in progress (see the 20261123T0500_uploads migration). */
export interface UploadSessionsTable {
  id: string;
  user_id: number;
  owner_id: number;
  /** JSON array of the target's names below the owner's root. */
  path: string;
  uri: string;
  size: number;
  chunk_size: number;
  mtime: number | null;
  placeholder_id: number | null;
  placeholder_etag: string | null;
  created_at: number;
  expires_at: number;
  committing_at: number | null;
  completed_at: number | null;
  /** A direct upload to the store (contract 15.5): its multipart upload id, pending blob and policy. */
  direct_upload_id: string | null;
  direct_blob_id: string | null;
  direct_policy_id: number | null;
  callback_secret: string | null;
}

/** A chunk of an upload session that is stored in full. */
export interface UploadChunksTable {
  session_id: string;
  chunk_index: number;
  size: number;
  received_at: number;
}

/** A share link (see the 20261123T0600_shares migration). */
export interface SharesTable {
  id: Generated<number>;
  /** Random and unique: what links and share URIs name. */
  link_key: string;
  user_id: number;
  entry_id: number;
  password: string | null;
  expires_at: number | null;
  remaining_downloads: number | null;
  downloads: ColumnType<number, number | undefined, number>;
  views: ColumnType<number, number | undefined, number>;
  share_view: number;
  show_readme: number;
  /** Bumped by every edit (download URLs carry the one they were signed for). */
  revision: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

/** The durable job queue (see the 20261207T0200_jobs migration). */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON. */
  payload: string;
  state: string;
  priority: number;
  run_at: number;
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  interval_ms: number | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
  progress: number | null;
  progress_message: string | null;
  /** JSON. */
  result: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A counter bumped with every change of one kind (see the 20261207T0400_shared_state migration). */
export interface SharedVersionsTable {
  name: string;
  version: number;
}

/** Failed attempts of one hashed throttle key in a fixed window. */
export interface ThrottlesTable {
  key: string;
  failures: number;
  window_ends: number;
  last_failure: number;
  expires_at: number;
}

/** A folder bound to a storage policy: new files below it go there (nearest binding wins). */
export interface FolderPoliciesTable {
  entry_id: number;
  policy_id: number;
  created_at: number;
}

/** A group a user joined beside their primary one (users.group_id). */
export interface UserGroupsTable {
  user_id: number;
  group_id: number;
  created_at: number;
}

/** An admin's shared folder, grafted at /name in the tree of every member of its group. */
export interface MountsTable {
  id: Generated<number>;
  name: string;
  group_id: number;
  source: string;
  dir: string | null;
  policy_id: number | null;
  prefix: string | null;
  read_only: number;
  owner_id: number;
  root_id: number | null;
  created_at: number;
}

/** What the media indexer learnt about one content (see the 20261207T1000_media migration). */
export interface MediaTable {
  blob_id: string;
  kind: string;
  thumb_state: string;
  thumb_blob_id: string | null;
  thumb_error: string | null;
  taken_at: number | null;
  camera_make: string | null;
  camera_model: string | null;
  lens: string | null;
  latitude: number | null;
  longitude: number | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  duration_ms: number | null;
  indexed_at: number;
}

/** An old content of a file (see the 20261207T1200_history migration). */
export interface FileVersionsTable {
  id: Generated<number>;
  entry_id: number;
  owner_id: number;
  blob_id: string;
  size: number;
  mtime: number;
  created_at: number;
  created_by: number | null;
}

/** The top of a trashed subtree (parent_id null) and where it came from. */
export interface TrashTable {
  entry_id: number;
  owner_id: number;
  /** JSON array of names from the owner's root. */
  restore_path: string;
  trashed_at: number;
  trashed_by: string;
}

/** A file a principal moved away from or deleted in a folder, kept two minutes (safe saves). */
export interface DeparturesTable {
  parent_id: number;
  name: string;
  entry_id: number;
  holder: string;
  departed_at: number;
}

/** A folder marked as a photo library (issue 12), with its optional import folder. */
export interface PhotoLibrariesTable {
  id: Generated<number>;
  user_id: number;
  root_id: number;
  import_id: number | null;
  created_at: number;
}

/** An entry changed under a library since its last run. */
export interface PhotoChangesTable {
  library_id: number;
  entry_id: number;
  version: number;
  first_at: number;
  changed_at: number;
}

/** A user's account on a remote WebDAV server (see the 20261207T1400_sync migration). */
export interface SyncAccountsTable {
  id: Generated<number>;
  user_id: number;
  url: string;
  username: string | null;
  password_sealed: string | null;
  any_address: number;
  created_at: number;
}

/** A remote folder and a local folder kept in step. */
export interface SyncPairsTable {
  id: Generated<number>;
  account_id: number;
  user_id: number;
  remote_path: string;
  local_path: string;
  direction: string;
  deletes: string;
  interval_seconds: number | null;
  excludes: string;
  paused: number;
  last_run_at: number | null;
  last_status: string | null;
  last_error: string | null;
  last_summary: string | null;
  run_token: string | null;
  run_until: number | null;
  created_at: number;
}

/** What both sides of a pair held at one path when they last agreed. */
export interface SyncStateTable {
  pair_id: number;
  path: string;
  remote_path: string;
  is_folder: number;
  remote_etag: string | null;
  remote_size: number | null;
  remote_mtime: number | null;
  remote_seen: number;
  local_entry_id: number | null;
  local_etag: string | null;
  local_seen: number;
  pending_op: string | null;
  pending_etag: string | null;
  updated_at: number;
}
