import type { z } from 'zod';
import { InvalidArgumentError } from '../../core/index.js';
import { POLICY_TYPES, localPolicySettings, s3PolicySettings, webdavPolicySettings, type PolicyType } from '../../storage/index.js';

const SCHEMAS: Record<PolicyType, z.ZodType<Record<string, unknown>>> = {
  local: localPolicySettings,
  s3: s3PolicySettings,
  webdav: webdavPolicySettings,
};

export function policyTypeOf(type: string): PolicyType {
  if (!(POLICY_TYPES as readonly string[]).includes(type)) {
    throw new InvalidArgumentError(`"${type}" is not a storage policy type; expected one of ${POLICY_TYPES.join(', ')}`);
  }
  return type as PolicyType;
}

/** The settings with defaults filled in; InvalidArgumentError naming every wrong field otherwise. */
export function validSettings(type: PolicyType, settings: Record<string, unknown>): Record<string, unknown> {
  const result = SCHEMAS[type].safeParse(settings);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`);
  throw new InvalidArgumentError(`Invalid settings for a storage policy of type ${type}: ${problems.join('; ')}`);
}

export function validPolicyName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 64) throw new InvalidArgumentError('A storage policy name must be 1 to 64 characters long');
  if (/^\d+$/.test(name)) throw new InvalidArgumentError('A storage policy name cannot be only digits (it would read as an id)');
  return name;
}
