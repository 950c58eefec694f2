import { InvalidArgumentError, NotAFolderError, formatPath, type Principal, type VPath } from '../../core/index.js';
import { isForeignKeyViolation, type Database, type MoveScope, type PolicyRepository } from '../../db/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { UserService } from '../users/user.service.js';
import { PolicyNotAllowedError, PolicyNotFoundError } from './policy.errors.js';
import type { PolicyService } from './policy.service.js';

/** A folder's binding as shown: the folder, its policy, and the folder the policy comes from. */
export interface FolderPolicy {
  readonly path: string;
  readonly policy: { readonly id: number; readonly name: string };
  /** The bound folder: this one, or an ancestor the folder inherits from; null for the user's default. */
  readonly boundAt: number | null;
}

/**
 * Folders bound to storage policies (issue 11): a user binds a folder of theirs to one of the
 * policies their group allows; every new file below it goes there (the nearest binding wins,
 * see Writes.policyAt). Existing files stay until `policy migrate` moves them.
 */
export class FolderPolicies {
  constructor(
    private readonly database: Database,
    private readonly policies: PolicyRepository,
    private readonly policyService: PolicyService,
    private readonly users: UserService,
    private readonly vfs: Vfs,
    private readonly clock: () => number,
  ) {}

  /** Binds the folder at `path` in the user's tree; refused when their group does not allow the policy. */
  async bind(principal: Principal, path: VPath, policyNameOrId: string | number): Promise<FolderPolicy> {
    const policy = await this.policyService.get(policyNameOrId);
    const { group } = await this.users.withGroup(principal.userId);
    if (!group.storagePolicyIds.includes(policy.id)) {
      const allowed = await this.namesOf(group.storagePolicyIds);
      throw new PolicyNotAllowedError(
        `The group "${group.name}" may not use the storage policy "${policy.name}"; it allows ${allowed.map((n) => `"${n}"`).join(', ') || 'none'}`,
      );
    }
    const folder = await this.folderAt(principal, path);
    try {
      await this.database.transaction((tx) => this.policies.bindFolder(tx, folder, policy.id, this.clock()));
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new PolicyNotFoundError(`The storage policy "${policy.name}" or the folder was removed meanwhile`);
      throw error;
    }
    return this.of(principal, path);
  }

  /** Removes the folder's own binding (it inherits again); false when it had none. */
  async unbind(principal: Principal, path: VPath): Promise<boolean> {
    const folder = await this.folderAt(principal, path);
    return this.database.transaction((tx) => this.policies.unbindFolder(tx, folder));
  }

  /** The policies the principal's user may bind folders to (their group's, the default first). */
  async allowed(principal: Principal): Promise<Array<{ id: number; name: string; type: string }>> {
    const { group } = await this.users.withGroup(principal.userId);
    const out: Array<{ id: number; name: string; type: string }> = [];
    for (const id of group.storagePolicyIds) {
      const policy = await this.policyService.get(id).catch(() => null);
      if (policy) out.push({ id: policy.id, name: policy.name, type: policy.type });
    }
    return out;
  }

  /** The policy new files in the folder at `path` go to, and where that comes from. */
  async of(principal: Principal, path: VPath): Promise<FolderPolicy> {
    const folder = await this.folderAt(principal, path);
    const binding = await this.database.read((db) => this.policies.nearestBinding(db, folder));
    const id = binding?.policyId ?? principal.storagePolicyId;
    const policy = await this.policyService.get(id).catch(() => ({ id, name: `#${id}` }));
    return { path: formatPath(path), policy: { id, name: policy.name }, boundAt: binding?.folderId ?? null };
  }

  /**
   * The scope of a `policy migrate` from names: policies by name or id, a user by email or
   * id, and a folder of that user's tree.
   */
  async migrationScope(request: { to: string | number; from?: string | number; user?: string | number; path?: VPath }): Promise<MoveScope> {
    if (request.path !== undefined && request.user === undefined)
      throw new InvalidArgumentError('A folder path names a folder of a user: name the user too');
    const to = (await this.policyService.get(request.to)).id;
    const from = request.from === undefined ? undefined : (await this.policyService.get(request.from)).id;
    if (from === to) throw new InvalidArgumentError('The source and the target are the same storage policy');
    const user = request.user === undefined ? undefined : await this.users.get(request.user);
    const folderId =
      user && request.path !== undefined ? await this.folderAt(await this.users.principalFor(user), request.path) : undefined;
    return { to, from, ownerId: user?.id, folderId };
  }

  private async folderAt(principal: Principal, path: VPath): Promise<number> {
    const entry = await this.vfs.stat(principal, path);
    if (entry.kind !== 'folder') throw new NotAFolderError(`${formatPath(path)} is a file; only folders are bound to a storage policy`);
    return entry.id;
  }

  private async namesOf(ids: readonly number[]): Promise<string[]> {
    const names: string[] = [];
    for (const id of ids)
      names.push(
        await this.policyService.get(id).then(
          (p) => p.name,
          () => `#${id}`,
        ),
      );
    return names;
  }
}
