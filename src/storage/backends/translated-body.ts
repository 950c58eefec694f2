import { PassThrough, type Readable } from 'node:stream';

/**
 * A response body whose failures mid-transfer (a store that stalls or goes away after the
 * status line) reach the reader as typed domain errors, like failures before it. Destroying
 * the answer (a reader that stops) destroys the body.
 */
export function withTranslatedErrors(body: Readable, translate: (error: unknown) => unknown): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  body.once('error', (error) => {
    const translated = translate(error);
    out.destroy(translated instanceof Error ? translated : error);
  });
  out.once('close', () => {
    if (!body.destroyed) body.destroy();
  });
  return body.pipe(out);
}
