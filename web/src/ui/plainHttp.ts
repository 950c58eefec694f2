/**
 * Whether what the user types into this page crosses a network unencrypted: the page came over
 * plain HTTP from another machine. The server logs the same condition once per client address
 * (src/http/plain-http-warning.ts); the page warns the person about to type a password.
 */

/** The page was opened on this machine (localhost, 127/8, ::1): nothing crosses a network. */
export function isLoopbackOrigin(origin: string): boolean {
  const { hostname } = new URL(origin);
  return hostname === 'localhost' || /^127\./.test(hostname) || hostname === '[::1]';
}

/** Plain HTTP from another machine: a password typed here can be read on the network path. */
export function sendsPasswordsInClear(origin: string): boolean {
  return new URL(origin).protocol === 'http:' && !isLoopbackOrigin(origin);
}
