import type { SecretBox } from '../../auth/index.js';
import { UnavailableError } from '../../core/index.js';
import type { Database, PolicyRepository, StoragePolicy } from '../../db/index.js';
import { createBackend, defaultInlineMaxBytes, type BlobBackend, type PolicyType } from '../../storage/index.js';
import type { BackendSource } from '../../vfs/index.js';
import type { SharedVersions } from '../shared-state/shared-versions.js';
import { openSettings } from './policy-secrets.js';

export interface PolicyRegistryOptions {
  readonly dataDir: string;
  readonly secrets: Pick<SecretBox, 'reveal'>;
  readonly versions: SharedVersions;
  /** The inline threshold of a policy whose settings name none (the built-in one keeps `storage.inlineMaxBytes`). */
  readonly inlineDefault?: (policy: StoragePolicy) => number;
  /** Replaces every policy's backend (tests measuring the layers above storage). */
  readonly override?: (policyId: number) => BlobBackend;
  readonly warn: (details: Record<string, unknown>, message: string) => void;
  /**
   * How long a backend whose policy changed or went stays open before it is closed, so that
   * requests begun on it (a download streaming from the old S3 client) can finish. Default 5 min.
   */
  readonly retireAfterMs?: number;
}

const RETIRE_AFTER_MS = 5 * 60_000;

interface Built {
  /** The stored row's type and settings, to rebuild only what changed. */
  readonly fingerprint: string;
  readonly backend: BlobBackend | null;
  readonly error: string | null;
  readonly inlineMaxBytes: number;
}

/** An http(s) origin that is safe to put in a Content-Security-Policy source list. */
const CSP_SOURCE = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * The backends of every storage policy, built from the policy rows (secrets opened) and
 * rebuilt when another process (the CLI, another worker, another node) adds or changes a
 * policy: every change bumps the shared 'policies' counter, read at most once a second, and an
 * unknown policy id reloads at once.
 */
export class PolicyRegistry implements BackendSource {
  /** The backends built so far, by policy id (kept current in place; `app.backends`). */
  readonly loaded = new Map<number, BlobBackend>();
  private built = new Map<number, Built>();
  private rows = new Map<number, StoragePolicy>();
  private version: number | null = null;
  private reloading: Promise<void> | null = null;
  /** Replaced or dropped backends waiting for their requests to finish, with their timers. */
  private readonly retiring = new Map<BlobBackend, NodeJS.Timeout>();
  /** The origins of the stores that take uploads straight from a browser, as of the last load. */
  private uploadOrigins: readonly string[] = [];

  constructor(
    private readonly database: Database,
    private readonly policies: PolicyRepository,
    private readonly options: PolicyRegistryOptions,
  ) {}

  async backendOf(policyId: number): Promise<BlobBackend> {
    const built = await this.find(policyId);
    if (!built.backend) throw new UnavailableError(`Storage policy ${policyId} is not available on this server: ${built.error}`);
    return built.backend;
  }

  /**
   * A policy's type and settings for what reaches its store without a blob backend (a shared
   * folder grafted from it): `fingerprint` changes with the stored row, `open` unseals secrets.
   */
  async settingsOf(policyId: number): Promise<{ type: string; fingerprint: string; open: () => Record<string, unknown> }> {
    const built = await this.find(policyId);
    const policy = this.rows.get(policyId)!;
    return {
      type: policy.type,
      fingerprint: built.fingerprint,
      open: () => openSettings(this.options.secrets, policy.type, policy.settings),
    };
  }

  async inlineMaxBytesOf(policyId: number): Promise<number> {
    return (await this.find(policyId)).inlineMaxBytes;
  }

  async all(): Promise<ReadonlyMap<number, BlobBackend>> {
    await this.follow();
    return this.loaded;
  }

  /**
   * The origins the web UI sends direct uploads to (every policy whose backend presigns
   * uploads), for its Content-Security-Policy: computed when the policies load, and current
   * within a second of a change anywhere (the shared 'policies' counter).
   */
  async directUploadOrigins(): Promise<readonly string[]> {
    await this.follow();
    return this.uploadOrigins;
  }

  /** Reads the policy rows again now (after this process changed one). */
  async reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => (this.reloading = null));
    await this.reloading;
  }

  private async find(policyId: number): Promise<Built> {
    await this.follow();
    let built = this.built.get(policyId);
    if (!built) {
      await this.reload();
      built = this.built.get(policyId);
    }
    if (!built) throw new UnavailableError(`Storage policy ${policyId} does not exist`);
    return built;
  }

  /** Reloads when the shared counter moved since the last load. */
  private async follow(): Promise<void> {
    const version = await this.options.versions.current('policies');
    if (version !== this.version) await this.reload();
  }

  private async load(): Promise<void> {
    const version = await this.options.versions.current('policies');
    const rows = await this.database.read((db) => this.policies.list(db));
    const next = new Map<number, Built>();
    for (const policy of rows) {
      const fingerprint = JSON.stringify([policy.type, policy.settings]);
      const previous = this.built.get(policy.id);
      next.set(policy.id, previous?.fingerprint === fingerprint ? previous : this.build(policy, fingerprint));
    }
    const kept = new Set([...next.values()].map((built) => built.backend));
    for (const old of this.built.values()) if (old.backend && !kept.has(old.backend)) this.retire(old.backend);
    this.built = next;
    this.rows = new Map(rows.map((policy) => [policy.id, policy]));
    this.loaded.clear();
    for (const [id, built] of next) if (built.backend) this.loaded.set(id, built.backend);
    const origins = [...this.loaded.values()].flatMap((backend) => (backend.createDirectUpload ? (backend.directUploadOrigins ?? []) : []));
    // Only plain origins go into the header: a host with ';' or ',' would change its meaning.
    this.uploadOrigins = [...new Set(origins)].filter((origin) => CSP_SOURCE.test(origin)).sort();
    this.version = version;
  }

  /** Closes every backend, retiring ones too (the app stops). */
  async close(): Promise<void> {
    const all = new Set([...this.retiring.keys(), ...[...this.built.values()].map((built) => built.backend)]);
    for (const timer of this.retiring.values()) clearTimeout(timer);
    this.retiring.clear();
    this.built = new Map();
    this.loaded.clear();
    for (const backend of all) if (backend) await this.closeBackend(backend);
  }

  /** Closes a backend nothing will use any more, once requests begun on it have had time to end. */
  private retire(backend: BlobBackend): void {
    // Tests' overriding backends are theirs to close.
    if (this.options.override || !backend.close || this.retiring.has(backend)) return;
    const timer = setTimeout(() => {
      this.retiring.delete(backend);
      void this.closeBackend(backend);
    }, this.options.retireAfterMs ?? RETIRE_AFTER_MS);
    timer.unref();
    this.retiring.set(backend, timer);
  }

  private async closeBackend(backend: BlobBackend): Promise<void> {
    if (this.options.override) return;
    try {
      await backend.close?.();
    } catch (error) {
      this.options.warn(
        { type: backend.type, error: error instanceof Error ? error.message : String(error) },
        'could not close a storage backend',
      );
    }
  }

  private build(policy: StoragePolicy, fingerprint: string): Built {
    const inline = policy.settings.inlineMaxBytes;
    const inlineMaxBytes =
      typeof inline === 'number' ? inline : (this.options.inlineDefault?.(policy) ?? defaultInlineMaxBytes(policy.type as PolicyType));
    if (this.options.override) return { fingerprint, backend: this.options.override(policy.id), error: null, inlineMaxBytes };
    try {
      const settings = openSettings(this.options.secrets, policy.type, policy.settings);
      const backend = createBackend(policy.type, settings, { dataDir: this.options.dataDir });
      return { fingerprint, backend, error: null, inlineMaxBytes };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.warn({ policy: policy.name, type: policy.type, error: message }, 'storage policy unavailable; its files cannot be read');
      return { fingerprint, backend: null, error: message, inlineMaxBytes };
    }
  }
}
