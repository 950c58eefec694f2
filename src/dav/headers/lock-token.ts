// RFC 4918 section 10.5: Lock-Token = "Lock-Token" ":" Coded-URL, Coded-URL = "<" absolute-URI ">".
import { DavHeaderError } from './errors.js';

const TOKEN = /^[^\s<>]+$/;

/**
 * Returns the lock token an UNLOCK names, without the angle brackets. A bare token is accepted
 * too, as some Windows clients send it. An absent, empty or malformed header is 400
 * (RFC 4918 9.11.1 asks for 400 when the request carries no token).
 */
export function parseLockTokenHeader(value: string | undefined): string {
  const text = value?.trim() ?? '';
  if (text === '') throw new DavHeaderError(400, 'UNLOCK needs a Lock-Token header naming the lock to remove');
  const bracketed = text.startsWith('<');
  if (bracketed !== text.endsWith('>')) {
    throw new DavHeaderError(400, 'Lock-Token must be a token in angle brackets');
  }
  const token = bracketed ? text.slice(1, -1).trim() : text;
  if (!TOKEN.test(token)) {
    throw new DavHeaderError(400, 'Lock-Token must be a token in angle brackets');
  }
  return token;
}
