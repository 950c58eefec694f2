import { createHmac } from 'node:crypto';
import { RateLimitedError } from '../core/index.js';
import { throttleNetwork } from './client-address.js';

/** A key's failures in its current fixed window, as the store holds them. */
export interface ThrottleRow {
  readonly key: string;
  readonly failures: number;
  /** When the window ends and the count starts again from zero (epoch ms). */
  readonly windowEnds: number;
  readonly lastFailure: number;
}

/** One failure to count: the key, its window, and how long past the window's start the row is kept. */
export interface ThrottleFailure {
  readonly key: string;
  readonly windowMs: number;
  readonly keepMs: number;
}

/** Where counts live so that every process sees the same ones (the database's `throttles`). */
export interface ThrottleStore {
  /** The rows of these keys whose window has not ended. */
  read(keys: readonly string[], now: number): Promise<ThrottleRow[]>;
  /** Counts one failure of each key, in one transaction, and answers the rows as they now are. */
  fail(failures: readonly ThrottleFailure[], now: number): Promise<ThrottleRow[]>;
  clear(key: string): Promise<void>;
}

export interface ThrottleLimits {
  /** Failures from one address (an IPv6 /64), on any account, per window. */
  readonly perAddress: number;
  /** Failures on one account from one address per window. */
  readonly perAccountAddress: number;
  readonly windowMs: number;
  /** Failures on one account from all addresses per account window before failing addresses wait. */
  readonly perAccount: number;
  readonly accountWindowMs: number;
  /** The first wait, doubled for every further `perAccount` failures, up to the longest. */
  readonly accountDelayMs: number;
  readonly maxAccountDelayMs: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perAddress: 30,
  perAccountAddress: 10,
  windowMs: 5 * 60_000,
  perAccount: 20,
  accountWindowMs: 3600_000,
  accountDelayMs: 2000,
  maxAccountDelayMs: 5 * 60_000,
};

/** What an allowed attempt reports back once the password was checked. */
export interface ThrottledAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

interface AttemptKeys {
  readonly address: string;
  readonly pair: string;
  readonly account: string;
}

/** How long a row read from the store answers for this process without a new read. */
const SNAPSHOT_MS = 1000;
/** Most keys remembered in memory (snapshots, and blocks answered without a query). */
const MEMORY_KEYS = 10_000;

/**
 * Failed-password throttling shared by every process through a store (DESIGN.md, security
 * decisions: attackers slow down, owners are never locked out). Three counts per attempt:
 *
 * - the address (an IPv6 /64): a flood from one place is refused (429) for the rest of the window;
 * - the account from that address: guessing one account from one place is refused likewise;
 * - the account from everywhere: past `perAccount` failures, addresses that have already
 *   failed on the account wait a delay that doubles as failures grow.
 *
 * An address that has not failed on an account is never refused by that account's counts, so
 * its owner's valid password from their own address always gets through. Counts are read at
 * most once a second per key and process; a block is then answered from memory until its
 * window ends, so a flood costs no query per request. Keys are HMACs: the store holds no
 * address or email.
 */
export class LoginThrottle {
  private readonly snapshots = new Map<string, { row: ThrottleRow | null; readAt: number }>();
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly store: ThrottleStore,
    private readonly secret: Uint8Array,
    private readonly limits: ThrottleLimits,
    private readonly clock: () => number,
  ) {}

  /**
   * Allows an attempt on `account` (scoped: 'dav', 'login', 'share', …) from `address`, or
   * throws RateLimited with the seconds to wait and `message(seconds)`.
   */
  async attempt(scope: string, account: string, address: string, message?: (seconds: number) => string): Promise<ThrottledAttempt> {
    const network = throttleNetwork(address);
    const name = account.trim().toLowerCase();
    const keys: AttemptKeys = {
      address: this.keyOf(scope, 'address', network),
      pair: this.keyOf(scope, 'pair', name, network),
      account: this.keyOf(scope, 'account', name),
    };
    const now = this.clock();
    let waitMs = Math.max(this.blockedFor(keys.address, now), this.blockedFor(keys.pair, now));
    if (waitMs <= 0) waitMs = this.waitFor(keys, await this.rowsOf(keys, now), now);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new RateLimitedError(seconds, message?.(seconds));
    }
    return { failed: () => this.failed(keys), succeeded: () => this.succeeded(keys) };
  }

  /**
   * Counts one attempt of `scope` from `address` (an IPv6 /64) whatever its outcome, and refuses
   * it with RateLimited once the address made more than `limit` within a fixed window of
   * `windowMs` (sign-ups: each costs a password hash and tells whether an email is taken). The
   * count is an atomic increment in the shared store, so the allowance holds across processes
   * and nodes; once refused, the address is answered from memory until its window ends.
   * `check` only refuses an address already past its allowance, counting nothing.
   */
  async countAttempt(
    scope: string,
    address: string,
    limits: { limit: number; windowMs: number },
    message: (seconds: number) => string,
    how: 'check' | 'count' = 'count',
  ): Promise<void> {
    const key = this.keyOf(scope, 'address', throttleNetwork(address));
    const now = this.clock();
    let waitMs = this.blockedFor(key, now);
    if (waitMs <= 0 && how === 'check') {
      const [row] = await this.store.read([key], now);
      if (row && row.failures > limits.limit && row.windowEnds > now) waitMs = row.windowEnds - now;
    } else if (waitMs <= 0) {
      const [row] = await this.store.fail([{ key, windowMs: limits.windowMs, keepMs: limits.windowMs }], now);
      if (row && row.failures > limits.limit) {
        this.remember(this.blocked, key, row.windowEnds);
        waitMs = row.windowEnds - now;
      }
    }
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new RateLimitedError(seconds, message(seconds));
    }
  }

  private async failed(keys: AttemptKeys): Promise<void> {
    const { windowMs, accountWindowMs, maxAccountDelayMs } = this.limits;
    const now = this.clock();
    const rows = await this.store.fail(
      [
        { key: keys.address, windowMs, keepMs: windowMs },
        { key: keys.pair, windowMs, keepMs: windowMs },
        { key: keys.account, windowMs: accountWindowMs, keepMs: accountWindowMs + maxAccountDelayMs },
      ],
      now,
    );
    for (const row of rows) this.remember(this.snapshots, row.key, { row, readAt: now });
    // Remembers the blocks this failure completed, so the next attempts are refused from memory.
    this.waitFor(keys, new Map(rows.map((row) => [row.key, row])), now);
  }

  /** A right password clears its address's failures on the account (a typo before it), nothing else. */
  private async succeeded(keys: AttemptKeys): Promise<void> {
    if (!this.snapshots.get(keys.pair)?.row) return;
    this.snapshots.delete(keys.pair);
    await this.store.clear(keys.pair);
  }

  /** Milliseconds the attempt must wait by these rows (0: allowed); blocks found are remembered. */
  private waitFor(keys: AttemptKeys, rows: ReadonlyMap<string, ThrottleRow>, now: number): number {
    const limits = this.limits;
    let wait = 0;
    for (const [key, limit] of [
      [keys.address, limits.perAddress],
      [keys.pair, limits.perAccountAddress],
    ] as const) {
      const row = rows.get(key);
      if (row && row.failures >= limit && row.windowEnds > now) {
        this.remember(this.blocked, key, row.windowEnds);
        wait = Math.max(wait, row.windowEnds - now);
      }
    }
    const account = rows.get(keys.account);
    const pair = rows.get(keys.pair);
    if (account && pair && pair.failures > 0 && account.failures >= limits.perAccount) {
      const doublings = Math.min(30, Math.floor((account.failures - limits.perAccount) / limits.perAccount));
      const delay = Math.min(limits.maxAccountDelayMs, limits.accountDelayMs * 2 ** doublings);
      wait = Math.max(wait, account.lastFailure + delay - now);
    }
    return wait;
  }

  /** The keys' rows: from this process's snapshots younger than a second, the rest in one read. */
  private async rowsOf(keys: AttemptKeys, now: number): Promise<Map<string, ThrottleRow>> {
    const all = [keys.address, keys.pair, keys.account];
    const rows = new Map<string, ThrottleRow>();
    const missing: string[] = [];
    for (const key of all) {
      const snapshot = this.snapshots.get(key);
      if (snapshot && now - snapshot.readAt < SNAPSHOT_MS) {
        if (snapshot.row) rows.set(key, snapshot.row);
      } else missing.push(key);
    }
    if (missing.length === 0) return rows;
    const read = new Map((await this.store.read(missing, now)).map((row) => [row.key, row]));
    for (const key of missing) {
      const row = read.get(key) ?? null;
      this.remember(this.snapshots, key, { row, readAt: now });
      if (row) rows.set(key, row);
    }
    return rows;
  }

  private blockedFor(key: string, now: number): number {
    const until = this.blocked.get(key);
    if (until === undefined) return 0;
    if (until <= now) this.blocked.delete(key);
    return until - now;
  }

  /** Sets a key in a bounded map: the oldest key goes when it is full. */
  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    if (map.size >= MEMORY_KEYS) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  private keyOf(...parts: string[]): string {
    return createHmac('sha256', this.secret).update(parts.join('\0')).digest('base64url').slice(0, 32);
  }
}
