import { ApiError, CODES, NETWORK_FAILURE, rawCall, unwrap, type RawOptions } from './client';
import type { LoginResponse, Tokens, User } from './types';

/**
 * The signed-in session: the token pair and the user, kept in localStorage so a reload and
 * other tabs share it. Access tokens are renewed before they expire (contract 5.5), on a
 * timer and before any request that would otherwise carry a stale token; refresh tokens
 * rotate, so tabs renew one at a time (Web Locks) and adopt each other's result.
 */
export interface StoredSession {
  readonly user: User;
  readonly token: Tokens;
}

export type EndReason = 'signed-out' | 'expired';
type Listener = (session: StoredSession | null, reason?: EndReason) => void;

const KEY = 'cumulus.session';
/** Renew this long before the access token expires. */
const MARGIN_MS = 60_000;
/** Never renew more often than this, whatever the lifetimes. */
const MIN_DELAY_MS = 5_000;

let current: StoredSession | null = read();
const listeners = new Set<Listener>();
let timer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<boolean> | null = null;

function read(): StoredSession | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as StoredSession | null;
    if (!value?.token?.refresh_token || Date.parse(value.token.refresh_expires) <= Date.now()) return null;
    return value;
  } catch {
    return null;
  }
}

function apply(session: StoredSession | null, reason?: EndReason, persist = true): void {
  current = session;
  if (persist) {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  }
  schedule();
  for (const listener of listeners) listener(session, reason);
}

function expiresIn(session: StoredSession): number {
  return Date.parse(session.token.access_expires) - Date.now();
}

function schedule(): void {
  clearTimeout(timer);
  if (!current) return;
  const delay = Math.max(expiresIn(current) - MARGIN_MS, MIN_DELAY_MS);
  timer = setTimeout(() => void refresh(), delay);
}

export function getSession(): StoredSession | null {
  return current;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Contract 5.3. */
export async function signIn(email: string, password: string): Promise<StoredSession> {
  const data = unwrap(await rawCall<LoginResponse>('POST', '/session/token', { json: { email, password } }));
  const session = { user: data.user, token: data.token };
  apply(session);
  return session;
}

/** Contract 5.6: ends the session on the server too; the local session ends whatever the server says. */
export async function signOut(): Promise<void> {
  const session = current;
  apply(null, 'signed-out');
  if (session) await rawCall('DELETE', '/session/token', { json: { refresh_token: session.token.refresh_token } }).catch(() => undefined);
}

export function updateUser(user: User): void {
  if (current) apply({ ...current, user });
}

/** A new token pair the server gave this session in another answer (a password change moves it to new credentials). */
export function adoptTokens(token: Tokens): void {
  if (current) apply({ ...current, token });
}

/**
 * Renews the token pair (contract 5.5). Returns false when the session is gone: the server
 * refused the refresh token (40020), so the user must sign in again. A network failure
 * keeps the session and tries again later.
 */
export function refresh(): Promise<boolean> {
  inflight ??= exclusive(renew).finally(() => {
    inflight = null;
  });
  return inflight;
}

async function renew(): Promise<boolean> {
  const used = current?.token.refresh_token;
  const latest = read();
  if (!latest) {
    apply(null, 'expired');
    return false;
  }
  // Another tab renewed while this one waited for the lock: take its tokens.
  if (latest.token.refresh_token !== used && expiresIn(latest) > MARGIN_MS) {
    apply(latest, undefined, false);
    return true;
  }
  try {
    const token = unwrap(await rawCall<Tokens>('POST', '/session/token/refresh', { json: { refresh_token: latest.token.refresh_token } }));
    // Signed out (here or in another tab) while the answer was on its way: stay signed out.
    if (!current || !read()) return false;
    apply({ user: latest.user, token });
    return true;
  } catch (error) {
    if (!current) return false;
    if (error instanceof ApiError && error.code === NETWORK_FAILURE) {
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), 15_000);
      return expiresIn(latest) > 0;
    }
    apply(null, 'expired');
    return false;
  }
}

function exclusive<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('cumulus-token-refresh', run) : run();
}

/** A fresh access token, renewing first when it is about to expire; null when signed out. */
export async function accessToken(): Promise<string | null> {
  if (!current) return null;
  if (expiresIn(current) < MARGIN_MS / 2 && !(await refresh())) return null;
  return current?.token.access_token ?? null;
}

/**
 * One API call as the signed-in user (anonymous when signed out). A 401 answer while signed
 * in means the access token was refused: renew once and repeat, else the session has ended.
 */
export async function call<T>(method: string, path: string, options: Omit<RawOptions, 'token'> = {}): Promise<T> {
  const token = await accessToken();
  let envelope = await rawCall<T>(method, path, { ...options, token });
  if (envelope.code === CODES.loginRequired && token) {
    if (await refresh()) envelope = await rawCall<T>(method, path, { ...options, token: current?.token.access_token });
    else throw new ApiError(CODES.loginRequired, 'Your session has ended. Sign in again.');
  }
  return unwrap(envelope);
}

if (typeof window !== 'undefined') {
  // Other tabs sign in, renew and sign out through the same storage.
  window.addEventListener('storage', (event) => {
    if (event.key !== KEY) return;
    const next = read();
    apply(next, next ? undefined : 'signed-out', false);
  });
  // Timers sleep with the laptop: check again when the page is seen.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && current && expiresIn(current) < MARGIN_MS) void refresh();
  });
  schedule();
}
