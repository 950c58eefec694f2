import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Authentication, ServerSettings, SessionService, ShareService, UserService } from '../services/index.js';
import type { DavAccountService, GroupService, MembershipService, MountService } from '../services/index.js';
import type { DirectLinks, FolderPolicies, MediaService, PolicyMigration, PolicyService, UploadService } from '../services/index.js';
import type { LibraryService } from '../services/index.js';
import type { JobQueue } from '../jobs/index.js';
import type { Lookups, Vfs } from '../vfs/index.js';

export interface ApiOptions {
  /** Most URIs one batch request (move, copy, delete) may name; more is 40074. */
  readonly maxBatchSize: number;
}

/** What the API talks to: the vfs and services, never the database or storage (DESIGN.md). */
export interface ApiDependencies {
  readonly vfs: Vfs;
  readonly users: UserService;
  readonly sessions: SessionService;
  /** Chunked uploads (contract section 15). */
  readonly uploads: UploadService;
  readonly shares: ShareService;
  readonly settings: ServerSettings;
  readonly groups: GroupService;
  readonly davAccounts: DavAccountService;
  /** Joined groups beside the primary one (administration). */
  readonly memberships: MembershipService;
  /** Shared folders (administration). */
  readonly mounts: MountService;
  /** Entries by id, search, locks by token: the vfs look-ups beside the Vfs class. */
  readonly lookups: Lookups;
  /** The durable job queue (administration). */
  readonly jobs: JobQueue;
  /** Signed download URLs (contract 9): their HMAC key, the clock, and the public URL they start with when configured. */
  readonly downloads: { readonly key: Uint8Array; readonly clock: () => number; readonly publicUrl?: string };
  /** Thumbnails and media metadata (issue 12). */
  readonly media: MediaService;
  /** Presigned URLs of the store for files on redirect policies; without it every download is proxied. */
  readonly directLinks?: DirectLinks;
  readonly logger: Logger;
  /** The server's version, for /site/ping. */
  readonly version: string;
  readonly options?: Partial<ApiOptions>;
  /** Storage policies (issue 11): administration, folder bindings, migrations. */
  readonly policies: PolicyService;
  readonly folderPolicies: FolderPolicies;
  readonly policyMigration: PolicyMigration;
  /** Photo libraries (issue 12). */
  readonly libraries: LibraryService;
}

/** Who may call a route: anyone without looking at tokens, anyone (a token identifies), or a signed-in user only. */
export type AuthMode = 'none' | 'optional' | 'required';

export interface RouteContext<Query, Body> {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly query: Query;
  readonly body: Body;
  /** The caller; null when anonymous (never null on 'required' routes). */
  readonly auth: Authentication | null;
  readonly deps: ApiDependencies;
  readonly options: ApiOptions;
}

/**
 * One endpoint: its method and path below /api/v4, who may call it, zod schemas for its
 * query, body and response `data` (validated on every call, and the source of the OpenAPI
 * document), and the handler. A route without a response schema answers `{code: 0, msg: ""}`.
 */
export interface RouteSpec<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth: AuthMode;
  /** Runs right after authentication, before the query and body are read (e.g. administrators only). */
  readonly guard?: (auth: Authentication | null, deps: ApiDependencies) => Promise<void>;
  readonly query?: Q;
  readonly body?: B;
  readonly response?: R;
  // Method syntax on purpose: a list of routes holds specs of different schemas.
  handler(context: RouteContext<z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodVoid>(
  spec: RouteSpec<Q, B, R>,
): RouteSpec<Q, B, R> {
  return spec;
}
