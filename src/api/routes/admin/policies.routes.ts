import { decodeId } from '../../../auth/index.js';
import { parsePath } from '../../../core/index.js';
import type { PolicyView } from '../../../services/index.js';
import { ApiError, CODES } from '../../errors.js';
import { defineAdminRoute } from './admin.route.js';
import {
  createPolicyBody,
  listPoliciesResponse,
  migrateBody,
  migrateResponse,
  policySchema,
  probeResponse,
  updatePolicyBody,
} from './policies.schema.js';

const policyNotFound = new ApiError(CODES.notExist, 'Storage policy not found');

/** Policy ids are plain numbers in this API (as in the listing's storage_policy, contract 7.3). */
function policyId(params: unknown): number {
  const text = (params as { id?: string }).id ?? '';
  if (!/^\d{1,12}$/.test(text)) throw policyNotFound;
  return Number(text);
}

export function presentPolicy(policy: PolicyView) {
  return {
    id: String(policy.id),
    name: policy.name,
    type: policy.type,
    settings: policy.settings,
    inline_max_bytes: policy.inlineMaxBytes,
    usage: { ...policy.usage, groups: [...policy.usage.groups] },
  };
}

/**
 * Storage policies (issue 11), at Cloudreve's admin paths (`/admin/policy`: POST lists, PUT
 * adds, GET/PUT/DELETE `:id`), plus `:id/test` (write, read and delete a probe object) and
 * `migrate` (queues a `policy migrate` job). Secrets are accepted, stored sealed and shown as
 * "(set)"; a policy in use is not removed (409 with what uses it).
 */
export const adminPolicyRoutes = [
  defineAdminRoute({
    method: 'POST',
    url: '/admin/policy',
    summary: 'List every storage policy with what uses it (administrators only)',
    response: listPoliciesResponse,
    handler: async ({ deps }) => ({ policies: (await deps.policies.list()).map(presentPolicy) }),
  }),
  defineAdminRoute({
    method: 'GET',
    url: '/admin/policy/:id',
    summary: 'One storage policy (administrators only)',
    response: policySchema,
    handler: async ({ request, deps }) => presentPolicy(await deps.policies.show(policyId(request.params))),
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/policy',
    summary: 'Add a storage policy (administrators only)',
    body: createPolicyBody,
    response: policySchema,
    handler: async ({ body, deps }) => presentPolicy(await deps.policies.add(body)),
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/policy/:id',
    summary: "Change a storage policy's name or settings (administrators only)",
    body: updatePolicyBody,
    response: policySchema,
    handler: async ({ request, body, deps }) => presentPolicy(await deps.policies.update(policyId(request.params), body)),
  }),
  defineAdminRoute({
    method: 'DELETE',
    url: '/admin/policy/:id',
    summary: 'Remove a storage policy nothing uses (administrators only)',
    handler: async ({ request, deps }) => {
      await deps.policies.remove(policyId(request.params));
    },
  }),
  defineAdminRoute({
    method: 'POST',
    url: '/admin/policy/:id/test',
    summary: 'Write, read back and delete a probe object; says which step failed (administrators only)',
    response: probeResponse,
    handler: async ({ request, deps }) => deps.policies.test(policyId(request.params)),
  }),
  defineAdminRoute({
    method: 'POST',
    url: '/admin/policy/migrate',
    summary: 'Queue moving existing files into a storage policy (administrators only); follow the job under /admin/job',
    body: migrateBody,
    response: migrateResponse,
    handler: async ({ body, deps }) => {
      const user = body.user_id === undefined ? undefined : decodeId('user', body.user_id);
      if (user === null) throw new ApiError(CODES.notExist, 'User not found');
      const scope = await deps.folderPolicies.migrationScope({
        to: policyIdOf(body.to),
        from: body.from === undefined ? undefined : policyIdOf(body.from),
        user,
        path: body.path === undefined ? undefined : parsePath(body.path),
      });
      const remaining = await deps.policyMigration.remaining(scope);
      const job = await deps.policyMigration.enqueue(scope);
      return { job_id: job.id, remaining };
    },
  }),
];

function policyIdOf(text: string): number {
  return policyId({ id: text });
}
