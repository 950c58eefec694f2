import { rawCall, unwrap } from './client';
import { adoptTokens, call } from './session';
import type { Capacity, LoginConfig, Tokens, User } from './types';

/** Contract 16. */
export function capacity(): Promise<Capacity> {
  return call<Capacity>('GET', '/user/capacity');
}

/** Contract 5.1: whether sign-up is open. */
export async function loginConfig(): Promise<LoginConfig> {
  return unwrap(await rawCall<LoginConfig>('GET', '/site/config/login'));
}

/** `POST /user` (contract 19): a new account; sign in afterwards. */
export async function signUp(email: string, password: string): Promise<User> {
  return unwrap(await rawCall<User>('POST', '/user', { json: { email, password, language: navigator.language } }));
}

/**
 * `PATCH /user/setting` with the current and the new password (Cloudreve frontend shape). The
 * server ends every other session and answers this one's new token pair, which replaces ours
 * (the old refresh token no longer refreshes).
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const answer = await call<{ token: Tokens }>('PATCH', '/user/setting', {
    json: { current_password: currentPassword, new_password: newPassword },
  });
  adoptTokens(answer.token);
}

/** A signed-in session as listed by `GET /user/sessions` (a Cumulus addition). */
export interface ActiveSession {
  readonly id: string;
  readonly created_at: string;
  readonly last_used_at?: string;
  readonly expires_at?: string;
  readonly user_agent?: string;
  readonly address?: string;
  readonly current?: boolean;
}

export function listSessions(): Promise<{ sessions: ActiveSession[] }> {
  return call('GET', '/user/sessions');
}

export function endSession(id: string): Promise<void> {
  return call<void>('DELETE', `/user/sessions/${encodeURIComponent(id)}`);
}

/** Signs out every session of this user but this one. */
export function endOtherSessions(): Promise<void> {
  return call<void>('DELETE', '/user/sessions');
}
