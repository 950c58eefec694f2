// Shapes of the Cloudreve V4 REST API as this UI reads them (/work/shared contract; the
// server's zod schemas in src/api/routes/** are the source of truth for what exists).

/** Contract 3.1: every answer is HTTP 200 with this envelope. */
export interface Envelope<T> {
  readonly code: number;
  readonly msg: string;
  readonly data?: T;
  readonly correlation_id?: string;
  /** Contract 3.4, 40081: the failure of each URI of a batch. */
  readonly aggregated_error?: Record<string, { code: number; msg: string }>;
}

/** Contract 5.3 and 5.5. */
export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly access_expires: string;
  readonly refresh_expires: string;
}

export interface Group {
  readonly id: string;
  readonly name: string;
  /** Boolset (contract 3.3): bit 0 admin, 2 share, 3 WebDAV. */
  readonly permission?: string;
}

export interface User {
  readonly id: string;
  readonly email?: string;
  readonly nickname: string;
  readonly status?: string;
  readonly created_at: string;
  readonly anonymous?: boolean;
  readonly group?: Group;
}

export interface LoginResponse {
  readonly user: User;
  readonly token: Tokens;
}

/** Contract 5.1, section `login`. */
export interface LoginConfig {
  readonly register_enabled?: boolean;
  readonly login_captcha?: boolean;
}

/** Contract section 6: 0 is a file, 1 a folder. */
export interface FileResponse {
  readonly type: 0 | 1;
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly size: number;
  readonly metadata: Record<string, string> | null;
  /** The cloudreve:// URI that addresses this object in every later call. */
  readonly path: string;
  readonly shared?: boolean;
  readonly capability?: string;
  readonly owned?: boolean;
}

export interface StoragePolicy {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly max_size: number;
  readonly relay?: boolean;
}

/** Contract 7.3. */
export interface ListResponse {
  readonly files: FileResponse[];
  readonly parent?: FileResponse;
  readonly pagination: { page: number; page_size: number; next_token?: string; is_cursor?: boolean };
  readonly storage_policy?: StoragePolicy;
  readonly single_file_view?: boolean;
}

export type OrderBy = 'name' | 'size' | 'updated_at' | 'created_at';
export type OrderDirection = 'asc' | 'desc';

/** Contract 9.1. */
export interface FileUrlResponse {
  readonly urls: Array<{ url: string; stream_saver_display_name?: string }>;
  readonly expires: string | null;
}

/** Contract 15.1. */
export interface UploadSession {
  readonly session_id: string;
  readonly chunk_size: number;
  readonly expires: number;
  readonly uri: string;
  readonly storage_policy?: StoragePolicy;
  readonly upload_urls?: string[];
  /** Direct uploads to S3 (contract 15.5): the multipart upload, its completion and the callback's secret. */
  readonly upload_id?: string;
  readonly completeURL?: string;
  readonly callback_secret?: string;
}

/** Contract 16. */
export interface Capacity {
  readonly total: number;
  readonly used: number;
}

/** Contract 19 (Cloudreve frontend shapes): a share link as its owner lists it. */
export interface Share {
  readonly id: string;
  readonly name?: string;
  readonly url: string;
  readonly expires?: string;
  readonly expired?: boolean;
  readonly is_private?: boolean;
  readonly password?: string;
  readonly remain_downloads?: number;
  readonly created_at?: string;
  readonly visited: number;
  readonly downloaded?: number;
  readonly unlocked?: boolean;
  readonly source_type?: number;
  readonly source_uri?: string;
  readonly owner?: User;
}

/** `GET /share/info/{id}`: what a visitor of a share link sees before and after the password. */
export interface ShareInfo {
  readonly id: string;
  readonly name?: string;
  /** 0 a file, 1 a folder. */
  readonly source_type?: number;
  readonly unlocked: boolean;
  readonly owner?: User;
  readonly expires?: string;
  readonly expired?: boolean;
  readonly remain_downloads?: number;
  readonly visited?: number;
  readonly downloaded?: number;
  readonly created_at?: string;
}

export interface Pagination {
  readonly page?: number;
  readonly page_size?: number;
  readonly next_token?: string;
  readonly total_items?: number;
  readonly is_cursor?: boolean;
}

/** Contract 18.1. */
export interface DavAccount {
  readonly id: string;
  readonly created_at: string;
  readonly name: string;
  readonly uri: string;
  readonly password?: string;
  /** Boolset: bit 0 read-only, bit 1 proxy. */
  readonly options?: string;
  /** Cumulus: when the account stops working (RFC 3339); null for never. */
  readonly expires_at?: string | null;
  /** Cumulus: the last WebDAV request; null for never. */
  readonly last_used_at?: string | null;
}
