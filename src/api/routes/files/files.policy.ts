import { z } from 'zod';
import type { Authentication } from '../../../services/index.js';
import { defineRoute, type ApiDependencies } from '../../context.js';
import { locate } from '../../space.js';

const uri = z.string().min(1).describe('cloudreve://my/… of a folder');

const policyRef = z.object({ id: z.string(), name: z.string() });
const folderPolicySchema = z.object({
  policy: policyRef.describe('Where new files in the folder go'),
  bound: z.boolean().describe('The folder itself is bound (false: inherited from a parent, or the default)'),
  inherited_from_parent: z.boolean().describe('A parent folder is bound and this one inherits it'),
  options: z.array(policyRef.extend({ type: z.string() })).describe("The policies the user's group allows"),
});

/**
 * Issue 11: a folder's storage policy, as its owner binds it (the web UI's "Storage policy…"
 * in the folder menu). New files in the folder and its subfolders go to it; existing files
 * stay until an administrator runs `policy migrate`. A policy the user's group does not allow
 * is refused (403 with the group and what it allows).
 */
async function answer(deps: ApiDependencies, text: string, auth: Authentication | null) {
  const { space, path } = await locate(text, auth, deps.users);
  const now = await deps.folderPolicies.of(space.principal, path);
  const folderId = (await deps.vfs.stat(space.principal, path)).id;
  const options = await deps.folderPolicies.allowed(space.principal);
  return {
    policy: { id: String(now.policy.id), name: now.policy.name },
    bound: now.boundAt === folderId,
    inherited_from_parent: now.boundAt !== null && now.boundAt !== folderId,
    options: options.map((p) => ({ id: String(p.id), name: p.name, type: p.type })),
  };
}

export const folderPolicyRoutes = [
  defineRoute({
    method: 'GET',
    url: '/file/policy',
    summary: "A folder's storage policy, and the policies the user may bind it to",
    tag: 'file',
    auth: 'required',
    query: z.object({ uri }),
    response: folderPolicySchema,
    handler: async ({ query, auth, deps }) => answer(deps, query.uri, auth),
  }),
  defineRoute({
    method: 'PUT',
    url: '/file/policy',
    summary: 'Bind a folder to a storage policy (null: inherit again); new files below it go there',
    tag: 'file',
    auth: 'required',
    body: z.strictObject({
      uri,
      policy_id: z
        .string()
        .regex(/^\d{1,12}$/)
        .nullable(),
    }),
    response: folderPolicySchema,
    handler: async ({ body, auth, deps }) => {
      const { space, path } = await locate(body.uri, auth, deps.users);
      if (body.policy_id === null) await deps.folderPolicies.unbind(space.principal, path);
      else await deps.folderPolicies.bind(space.principal, path, Number(body.policy_id));
      return answer(deps, body.uri, auth);
    },
  }),
];
