import { z } from 'zod';

/**
 * One signed-in session (a sign-in and its refreshes) as its user sees it. Not part of the
 * Cloudreve contract, which has no session list: a Cumulus addition in the same envelope.
 */
export const activeSessionSchema = z.object({
  id: z.string(),
  created_at: z.string().describe('RFC 3339: when it signed in'),
  last_used_at: z
    .string()
    .describe('RFC 3339: when it last got a token pair (sign-in or refresh), so within an access token lifetime of its last request'),
  expires_at: z.string().describe('RFC 3339: when its refresh token expires unless refreshed'),
  user_agent: z.string().optional().describe('The User-Agent it signed in with'),
  address: z.string().optional().describe('The client address it signed in from'),
  current: z.boolean().describe('Whether this is the session of the access token asking'),
});

export const activeSessionsResponse = z.object({ sessions: z.array(activeSessionSchema) });
