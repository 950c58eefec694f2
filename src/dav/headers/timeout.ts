// RFC 4918 section 10.7: Timeout = "Timeout" ":" 1#TimeType,
// TimeType = ("Second-" DAVTimeOutVal | "Infinite").
export interface TimeoutOptions {
  /** Granted when the header is absent or names nothing we understand. */
  readonly defaultSeconds: number;
  /** The longest lock we grant; also what Infinite means. */
  readonly maxSeconds: number;
}

const SECONDS = /^second-(\d+)$/i;

/**
 * Returns the lock timeout to grant, in seconds. The client's list is a preference, not a
 * demand (RFC 4918 10.7: the server may ignore it), so this never throws: the first entry
 * understood wins, capped at maxSeconds; `Second-0` (a lock that is already over) is skipped.
 */
export function parseTimeout(value: string | undefined, options: TimeoutOptions): number {
  const { defaultSeconds, maxSeconds } = options;
  for (const entry of (value ?? '').split(',')) {
    const text = entry.trim();
    if (text.toLowerCase() === 'infinite') return maxSeconds;
    const match = SECONDS.exec(text);
    if (!match) continue;
    const seconds = Number(match[1]);
    if (seconds > 0) return Math.min(seconds, maxSeconds);
  }
  return Math.min(defaultSeconds, maxSeconds);
}
