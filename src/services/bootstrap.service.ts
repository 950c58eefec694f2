import { generatePassword } from '../auth/index.js';
import type { Database, PolicyRepository, StoragePolicy } from '../db/index.js';
import { BUILT_IN_GROUPS, type GroupService } from './groups/group.service.js';
import type { UserService } from './users/user.service.js';

export interface CreatedAdmin {
  readonly email: string;
  /** Present when generated: shown once, never stored in clear. */
  readonly generatedPassword?: string;
}

/**
 * What a fresh database needs before anyone can sign in; safe to run at every start, and
 * in several processes at once: each duty is a Database.exclusive transaction.
 */
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
    return this.database.exclusive(async (tx) => {
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

  /**
   * Creates the first administrator when there are no users at all. Several processes may
   * start at once: exactly one creates it, and only that one learns the generated password.
   */
  async ensureAdmin(initial: { email: string; password?: string }): Promise<CreatedAdmin | null> {
    if ((await this.users.count()) > 0) return null;
    const password = initial.password ?? generatePassword(20);
    const created = await this.users.createFirst({
      email: initial.email,
      password,
      displayName: 'Administrator',
      group: BUILT_IN_GROUPS.admin,
    });
    if (!created) return null;
    return { email: created.email, generatedPassword: initial.password ? undefined : password };
  }
}
