import type { SecretBox } from '../../auth/index.js';
import { SECRET_POLICY_SETTINGS, type PolicyType } from '../../storage/index.js';

/** The sealing purpose of policy secrets: a value sealed for a share password does not open here. */
const PURPOSE = 'storage policy secret';

/** What list and the API show instead of a secret that is set. */
export const SECRET_SHOWN = '(set)';

function secretKeysOf(type: string): readonly string[] {
  return SECRET_POLICY_SETTINGS[type as PolicyType] ?? [];
}

/** Settings as stored: every secret sealed under the server key (DESIGN.md: remote credentials are encrypted at rest). */
export function sealSettings(box: SecretBox, type: string, settings: Record<string, unknown>): Record<string, unknown> {
  const sealed = { ...settings };
  for (const key of secretKeysOf(type)) {
    const value = sealed[key];
    if (typeof value === 'string' && value !== '') sealed[key] = box.seal(value, PURPOSE);
  }
  return sealed;
}

/** Settings as a backend needs them: every secret opened. */
export function openSettings(box: Pick<SecretBox, 'reveal'>, type: string, settings: Record<string, unknown>): Record<string, unknown> {
  const open = { ...settings };
  for (const key of secretKeysOf(type)) {
    const value = open[key];
    if (typeof value === 'string') open[key] = box.reveal(value, PURPOSE);
  }
  return open;
}

/** Settings as shown to an administrator: secrets replaced by "(set)". */
export function maskSettings(type: string, settings: Record<string, unknown>): Record<string, unknown> {
  const masked = { ...settings };
  for (const key of secretKeysOf(type)) if (typeof masked[key] === 'string' && masked[key] !== '') masked[key] = SECRET_SHOWN;
  return masked;
}
