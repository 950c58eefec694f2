import { stdSerializers, type ChildLoggerOptions, type SerializedError } from 'pino';

/**
 * What a log may say about a request (DESIGN.md, security decisions: secrets never reach a
 * log). Credentials travel in places a request log would otherwise copy: signed download
 * links (`?sign=`), share passwords (`?password=`, `cloudreve://KEY:PW@share` in `?uri=`, the
 * page `/s/KEY/PW`), tokens and passwords in bodies and headers. Logs keep the method, the
 * path, the names of query parameters, the status and the time; never a query value, the
 * password segment of a share page, a header or a body.
 */
export const REDACTED = '~';

/** The share page carries its password as the segment after the key: /s/{key}/{password}. */
const SHARE_PAGE = /^(\/s\/[^/]*\/)[^/]+/;

/** A request URL as a log may show it: every query value and a share page's password replaced. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  const path = (mark < 0 ? url : url.slice(0, mark)).replace(SHARE_PAGE, `$1${REDACTED}`);
  if (mark < 0) return path;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? pair : `${pair.slice(0, equals)}=${REDACTED}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/** Patterns of credentials inside free text (an error message or stack that quotes a URL or header). */
const IN_TEXT: ReadonlyArray<[RegExp, string]> = [
  // A query value in any URL quoted in the text.
  [/([?&][^=&\s"'<>]*=)[^&\s"'<>#]+/g, `$1${REDACTED}`],
  // The password of a share URI, plain or percent-encoded.
  [/(cloudreve:\/\/[^:/@\s"']*:)[^@\s"']+@/gi, `$1${REDACTED}@`],
  [/(cloudreve%3A%2F%2F[^%\s"']*%3A)[^\s"']+?%40/gi, `$1${REDACTED}%40`],
  // A share page's password segment.
  [/(\/s\/[^/\s"'?#]+\/)[^/\s"'?#]+/g, `$1${REDACTED}`],
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
];

/** Free text with every credential pattern replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of IN_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** The request fields Fastify logs ("incoming request"), with the URL redacted and no headers. */
interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number };
}

function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

function serializeError(error: Error): SerializedError {
  const serialized = stdSerializers.err(error);
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  if (typeof serialized.message === 'string') serialized.message = redactText(serialized.message);
  if (typeof serialized.stack === 'string') serialized.stack = redactText(serialized.stack);
  return serialized;
}

/**
 * Options for the child of the process logger that every part of the server logs through
 * (app.ts): requests and errors pass the serializers above, and structured fields that name a
 * credential are censored wherever a caller puts them.
 */
export const REDACTING_LOG_OPTIONS: ChildLoggerOptions = {
  serializers: { req: serializeRequest, err: serializeError },
  redact: {
    paths: [
      'password',
      'token',
      'authorization',
      'cookie',
      '*.password',
      '*.token',
      '*.access_token',
      '*.refresh_token',
      '*.authorization',
      '*.cookie',
      '*.headers.authorization',
      '*.headers.cookie',
    ],
    censor: REDACTED,
  },
};
