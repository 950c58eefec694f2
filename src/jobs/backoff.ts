export interface BackoffOptions {
  /** Delay before the second attempt; it doubles with each further one. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** 0 <= random() < 1, injected so tests are exact. */
  readonly random: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so that
 * jobs failing together (a backend down) do not all come back at the same instant.
 */
export function retryDelay(attempts: number, options: BackoffOptions): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (exponential / 2) * options.random());
}
