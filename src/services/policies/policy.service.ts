import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { SecretBox } from '../../auth/index.js';
import { AlreadyExistsError, type Group } from '../../core/index.js';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  type Database,
  type PolicyRepository,
  type PolicyUsage,
  type StoragePolicy,
} from '../../db/index.js';
import { SECRET_POLICY_SETTINGS, createBackend, type BlobBackend } from '../../storage/index.js';
import type { SharedVersions } from '../shared-state/shared-versions.js';
import { PolicyInUseError, PolicyNotFoundError } from './policy.errors.js';
import type { PolicyRegistry } from './policy-registry.js';
import { maskSettings, openSettings, sealSettings } from './policy-secrets.js';
import { policyTypeOf, validPolicyName, validSettings } from './policy-settings.validate.js';

/** A policy as administrators see it: secrets shown as "(set)", the effective inline threshold, what uses it. */
export interface PolicyView {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly settings: Record<string, unknown>;
  readonly inlineMaxBytes: number;
  readonly usage: PolicyUsage & { readonly groups: readonly string[] };
}

export interface PolicyChanges {
  readonly name?: string;
  /** Merged into the stored settings; a key set to null is removed (back to its default). */
  readonly settings?: Record<string, unknown>;
}

/** One step of `policy test`: what was tried, and why it failed. */
export interface ProbeStep {
  readonly step: 'connect' | 'write' | 'read' | 'delete';
  readonly ok: boolean;
  readonly error?: string;
}

export interface PolicyServiceOptions {
  readonly dataDir: string;
  readonly secrets: SecretBox;
  readonly clock: () => number;
}

/**
 * Storage policies as administrators manage them (issue 11): validated settings per type,
 * secrets sealed at rest and never shown back, removal refused while anything uses the
 * policy. Every change bumps the shared 'policies' counter, so every process rebuilds its
 * backends within a second (see PolicyRegistry).
 */
export class PolicyService {
  constructor(
    private readonly database: Database,
    private readonly policies: PolicyRepository,
    private readonly registry: PolicyRegistry,
    private readonly versions: SharedVersions,
    private readonly groups: { list(): Promise<Group[]> },
    private readonly options: PolicyServiceOptions,
  ) {}

  async list(): Promise<PolicyView[]> {
    const [rows, groups] = await Promise.all([this.database.read((db) => this.policies.list(db)), this.groups.list()]);
    return Promise.all(rows.map((row) => this.view(row, groups)));
  }

  /** By name, or by id when the text is a number. */
  async get(nameOrId: string | number): Promise<StoragePolicy> {
    const id = typeof nameOrId === 'number' ? nameOrId : /^\d+$/.test(nameOrId.trim()) ? Number(nameOrId) : null;
    const policy = await this.database.read((db) =>
      id !== null ? this.policies.byId(db, id) : this.policies.byName(db, String(nameOrId)),
    );
    if (!policy) throw new PolicyNotFoundError(`No storage policy ${id !== null ? `#${id}` : `named "${nameOrId}"`}`);
    return policy;
  }

  async show(nameOrId: string | number): Promise<PolicyView> {
    return this.view(await this.get(nameOrId), await this.groups.list());
  }

  /** Policy ids for names or ids, in order (group --policies); throws for an unknown one. */
  async resolve(namesOrIds: readonly (string | number)[]): Promise<number[]> {
    const ids: number[] = [];
    for (const item of namesOrIds) ids.push((await this.get(item)).id);
    return ids;
  }

  async add(fields: { name: string; type: string; settings: Record<string, unknown> }): Promise<PolicyView> {
    const name = validPolicyName(fields.name);
    const type = policyTypeOf(fields.type);
    // The shape is checked here; whether the store answers is `test`'s business (it may be down now).
    const settings = validSettings(type, fields.settings);
    try {
      const created = await this.versions.transaction('policies', (tx) =>
        this.policies.insert(tx, { name, type, settings: sealSettings(this.options.secrets, type, settings), now: this.options.clock() }),
      );
      return await this.show(created.id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`A storage policy named "${name}" already exists`);
      throw error;
    }
  }

  async update(nameOrId: string | number, changes: PolicyChanges): Promise<PolicyView> {
    const policy = await this.get(nameOrId);
    const type = policyTypeOf(policy.type);
    const name = changes.name !== undefined ? validPolicyName(changes.name) : undefined;
    let sealed: Record<string, unknown> | undefined;
    if (changes.settings !== undefined) {
      const merged: Record<string, unknown> = { ...openSettings(this.options.secrets, type, policy.settings) };
      for (const [key, value] of Object.entries(changes.settings)) {
        if (value === null) delete merged[key];
        else if (value !== undefined) merged[key] = value;
      }
      const settings = validSettings(type, merged);
      sealed = sealSettings(this.options.secrets, type, settings);
      // A secret the change does not name keeps its sealed value (same row, same backend).
      for (const key of SECRET_POLICY_SETTINGS[type]) {
        if (!(key in changes.settings) && policy.settings[key] !== undefined) sealed[key] = policy.settings[key];
      }
    }
    try {
      const updated = await this.versions.transaction('policies', (tx) => this.policies.update(tx, policy.id, { name, settings: sealed }));
      if (!updated) throw new PolicyNotFoundError(`Storage policy #${policy.id} was removed meanwhile`);
      return await this.show(updated.id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`A storage policy named "${name}" already exists`);
      throw error;
    }
  }

  /** Removes a policy nothing uses: no blob stored in it, no group allowing it, no folder bound to it. */
  async remove(nameOrId: string | number): Promise<void> {
    const policy = await this.get(nameOrId);
    const { usage } = await this.view(policy, await this.groups.list());
    const uses = [
      usage.blobs > 0 && `${usage.blobs} stored file content(s) (move them with "cumulus policy migrate --from ${policy.name} --to OTHER")`,
      usage.groups.length > 0 && `the group(s) ${usage.groups.map((g) => `"${g}"`).join(', ')}`,
      usage.folders > 0 && `${usage.folders} bound folder(s)`,
    ].filter(Boolean);
    if (uses.length > 0) throw new PolicyInUseError(`The storage policy "${policy.name}" is still used by ${uses.join(', ')}`);
    const all = await this.database.read((db) => this.policies.list(db));
    if (all.length === 1) throw new PolicyInUseError(`"${policy.name}" is the only storage policy; add another first`);
    try {
      await this.versions.transaction('policies', async (tx) => {
        if (!(await this.policies.delete(tx, policy.id)))
          throw new PolicyNotFoundError(`Storage policy #${policy.id} was removed meanwhile`);
      });
    } catch (error) {
      // A file or binding arrived between the check and the delete: the foreign keys refuse it.
      if (isForeignKeyViolation(error)) throw new PolicyInUseError(`The storage policy "${policy.name}" came into use meanwhile`);
      throw error;
    }
    await this.registry.reload();
  }

  /**
   * Writes, reads back and deletes a probe object through the policy's backend, and says which
   * step failed and why. Nothing is left behind when a step fails after the write.
   */
  async test(nameOrId: string | number): Promise<{ ok: boolean; steps: ProbeStep[] }> {
    const policy = await this.get(nameOrId);
    const steps: ProbeStep[] = [];
    const attempt = async (step: ProbeStep['step'], work: () => Promise<void>): Promise<boolean> => {
      try {
        await work();
        steps.push({ step, ok: true });
        return true;
      } catch (error) {
        steps.push({ step, ok: false, error: error instanceof Error ? error.message : String(error) });
        return false;
      }
    };
    let backend: BlobBackend | null = null;
    const connected = await attempt('connect', async () => {
      backend = this.buildBackend(policyTypeOf(policy.type), openSettings(this.options.secrets, policy.type, policy.settings));
      await backend.probe?.();
    });
    // Assigned inside the attempt above (TypeScript cannot see it).
    const store = backend as BlobBackend | null;
    try {
      if (!connected || !store) return { ok: false, steps };
      const key = `cumulus-probe/${randomUUID()}`;
      const body = `cumulus policy test ${new Date(this.options.clock()).toISOString()}`;
      const wrote = await attempt('write', async () => {
        await store.put(key, Readable.from([Buffer.from(body)]));
      });
      if (!wrote) return { ok: false, steps };
      await attempt('read', async () => {
        const back = await text(await store.get(key));
        if (back !== body) throw new Error(`read back ${back.length} bytes that differ from the ${body.length} written`);
      });
      await attempt('delete', async () => {
        await store.delete(key);
        if (await store.stat(key)) throw new Error('the probe object is still there after delete');
      });
      return { ok: steps.every((step) => step.ok), steps };
    } finally {
      // The probe's own client (sockets, agents) goes with it.
      await store?.close?.().catch(() => undefined);
    }
  }

  private buildBackend(type: string, settings: Record<string, unknown>): BlobBackend {
    return createBackend(type, settings, { dataDir: this.options.dataDir });
  }

  private async view(policy: StoragePolicy, groups: readonly Group[]): Promise<PolicyView> {
    const usage = await this.database.read((db) => this.policies.usage(db, policy.id));
    return {
      id: policy.id,
      name: policy.name,
      type: policy.type,
      settings: maskSettings(policy.type, policy.settings),
      inlineMaxBytes: await this.registry.inlineMaxBytesOf(policy.id).catch(() => 0),
      usage: { ...usage, groups: groups.filter((group) => group.storagePolicyIds.includes(policy.id)).map((group) => group.name) },
    };
  }
}
