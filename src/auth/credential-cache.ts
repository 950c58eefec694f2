import { createHmac, randomBytes } from 'node:crypto';

/**
 * Remembers credentials that passed the KDF for a short while, so a client sending Basic
 * auth on every request does not pay for the KDF each time (DESIGN.md performance rules).
 * Keys are HMACs under a per-process random key: the cache never holds a password, nor
 * anything that could be checked against one offline.
 */
export class CredentialCache<T> {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {}

  private keyOf(username: string, password: string): string {
    return createHmac('sha256', this.key).update(username).update('\0').update(password).digest('base64url');
  }

  get(username: string, password: string): T | undefined {
    const key = this.keyOf(username, password);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(username: string, password: string, value: T): void {
    if (this.entries.size >= this.maxEntries) {
      // Map iterates in insertion order: drop the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(this.keyOf(username, password), { value, expiresAt: this.clock() + this.ttlMs });
  }

  /** Forgets every cached credential whose value matches (an account revoked or changed). */
  forget(predicate: (value: T) => boolean): void {
    for (const [key, entry] of this.entries) if (predicate(entry.value)) this.entries.delete(key);
  }
}
