// RFC 7231 section 7.1.1.1 (HTTP-date): IMF-fixdate, and the obsolete RFC 850 and asctime
// forms that recipients must still accept. Used by If-Modified-Since, If-Unmodified-Since
// and If-Range, in WebDAV and in the REST API's downloads.

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// HTTP-date is case-sensitive (RFC 7231 7.1.1.1), so none of these take the i flag.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** Parses an HTTP-date into epoch milliseconds, or null when it is not a valid one. */
export function parseHttpDate(value: string): number | null {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return build(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850_DATE.exec(text);
  if (m) {
    // Two-digit years: 70-99 are 19xx, 00-69 are 20xx (the usual pivot; RFC 7231 asks for
    // "50 years in the future is the past", which needs a clock a pure parser has not got).
    const yy = Number(m[3]);
    return build(String(yy < 70 ? 2000 + yy : 1900 + yy), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME_DATE.exec(text);
  if (m) return build(m[6], m[1], m[2], m[3], m[4], m[5]);
  return null;
}

/** Formats epoch milliseconds as an IMF-fixdate, e.g. for Last-Modified. */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Whole seconds since the epoch: HTTP dates carry no finer precision. */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function build(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | null {
  const y = Number(year);
  const mo = MONTHS.indexOf(month ?? '');
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 0 || h > 23 || mi > 59 || s > 60) return null;
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo, d);
  date.setUTCHours(h, mi, s, 0);
  // Refuse 31 Feb and the like instead of rolling over into the next month.
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo) return null;
  return date.getTime();
}
