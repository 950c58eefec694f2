import type { FastifyRequest } from 'fastify';
import type { Authentication, SessionService } from '../services/index.js';

/**
 * Contract 3.2: `Authorization: Bearer <jwt>`. No header, another scheme, Cloudreve's HMAC
 * scheme (`Bearer Cr …`, for its slave nodes) and any token that does not verify (tampered,
 * `alg: none`, another key, expired) leave the caller anonymous; a valid token of the wrong
 * type is refused by the session service (40020).
 */
export async function authenticate(request: FastifyRequest, sessions: SessionService): Promise<Authentication | null> {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return null;
  return sessions.authenticate(match[1]!);
}
