import { call } from './session';

// Storage policies (src/api/routes/admin/policies.schema.ts) and a folder's policy (files.policy.ts).

export type PolicyType = 'local' | 's3' | 'webdav';

export interface AdminPolicy {
  readonly id: string;
  readonly name: string;
  readonly type: PolicyType;
  /** Secrets read "(set)". */
  readonly settings: Record<string, unknown>;
  readonly inline_max_bytes: number;
  readonly usage: { readonly blobs: number; readonly bytes: number; readonly folders: number; readonly groups: readonly string[] };
}

export interface ProbeReport {
  readonly ok: boolean;
  readonly steps: ReadonlyArray<{ readonly step: string; readonly ok: boolean; readonly error?: string }>;
}

export interface FolderPolicy {
  readonly policy: { readonly id: string; readonly name: string };
  readonly bound: boolean;
  readonly inherited_from_parent: boolean;
  readonly options: ReadonlyArray<{ readonly id: string; readonly name: string; readonly type: string }>;
}

export async function listPolicies(): Promise<AdminPolicy[]> {
  return (await call<{ policies: AdminPolicy[] }>('POST', '/admin/policy')).policies;
}

export function addPolicy(policy: { name: string; type: PolicyType; settings: Record<string, unknown> }): Promise<AdminPolicy> {
  return call('PUT', '/admin/policy', { json: policy });
}

export function removePolicy(id: string): Promise<void> {
  return call('DELETE', `/admin/policy/${id}`);
}

export function testPolicy(id: string): Promise<ProbeReport> {
  return call('POST', `/admin/policy/${id}/test`);
}

export function folderPolicy(uri: string): Promise<FolderPolicy> {
  return call('GET', '/file/policy', { query: { uri } });
}

export function bindFolder(uri: string, policyId: string | null): Promise<FolderPolicy> {
  return call('PUT', '/file/policy', { json: { uri, policy_id: policyId } });
}
