import { generatePassword } from '../auth/index.js';
import type { Database, PolicyRepository, StoragePolicy } from '../db/index.js';
import { BUILT_IN_GROUPS, type GroupService } from './groups/group.service.js';
import type { UserService } from './users/user.service.js';

export interface CreatedAdmin {
  readonly email: string;
  /** Present when generated: shown once, never stored in clear. */
  readonly generatedPassword?: string;
}

/** What a fresh database needs before anyone can sign in; safe to run at every start. */
export class Bootstrap {
  constructor(
    private readonly database: Database,
    private readonly policies: PolicyRepository,
    private readonly groups: GroupService,
    private readonly users: UserService,
    private readonly clock: () => number,
  ) {}

  /** The local-disk policy that holds blobs under DATA/blobs unless configured otherwise. */
  async ensureDefaultPolicy(): Promise<StoragePolicy[]> {
    return this.database.transaction(async (tx) => {
      const existing = await this.policies.list(tx);
      if (existing.length > 0) return existing;
      return [
        await this.policies.insert(tx, { name: 'Default local storage', type: 'local', settings: { path: 'blobs' }, now: this.clock() }),
      ];
    });
  }

  async ensureGroups(defaultPolicyId: number): Promise<void> {
    await this.groups.ensureBuiltIns(defaultPolicyId);
  }

  /** Creates the first administrator when there are no users at all. */
  async ensureAdmin(initial: { email: string; password?: string }): Promise<CreatedAdmin | null> {
    if ((await this.users.count()) > 0) return null;
    const password = initial.password ?? generatePassword(20);
    await this.users.create({ email: initial.email, password, displayName: 'Administrator', group: BUILT_IN_GROUPS.admin });
    return { email: initial.email.trim().toLowerCase(), generatedPassword: initial.password ? undefined : password };
  }
}
