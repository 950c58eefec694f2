import { ApiError, NETWORK_FAILURE } from '../api/client';
import { call } from '../api/session';
import type { UploadSession } from '../api/types';

/**
 * Direct uploads to S3 (contract 15.5): the session says `s3` without relay and carries one
 * presigned URL per part, the completion's URL and the callback's secret. The parts go
 * straight to the store (which must allow this origin by CORS and expose `ETag`), then the
 * completion XML, then the callback that makes the placeholder the file. `etags` holds the
 * parts sent so far, so a resume after a pause sends only the rest.
 */
export function isDirect(session: UploadSession): boolean {
  return session.storage_policy?.type === 's3' && !session.storage_policy.relay && (session.upload_urls?.length ?? 0) > 0;
}

export async function sendDirect(
  session: UploadSession,
  file: File,
  etags: string[],
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const urls = session.upload_urls ?? [];
  const partSize = session.chunk_size;
  for (const [index, url] of urls.entries()) {
    if (etags[index]) continue;
    const start = index * partSize;
    etags[index] = await putPart(
      url,
      file.slice(start, Math.min(file.size, start + partSize)),
      (loaded) => onProgress(start + loaded),
      signal,
    );
  }
  const xml =
    '<CompleteMultipartUpload>' +
    etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('') +
    '</CompleteMultipartUpload>';
  const completed = await fetch(session.completeURL!, {
    method: 'POST',
    body: xml,
    headers: { 'Content-Type': 'application/xml' },
    signal,
  }).catch(() => null);
  // A completion sent again after it succeeded fails in the store; the callback then decides.
  if (completed && !completed.ok && completed.status !== 404)
    throw new ApiError(NETWORK_FAILURE, `The store refused to assemble the file (HTTP ${completed.status}).`);
  await call<void>('GET', `/callback/s3/${encodeURIComponent(session.session_id)}/${encodeURIComponent(session.callback_secret!)}`);
}

/** One part, with XMLHttpRequest for its upload progress; resolves with the store's ETag. */
function putPart(url: string, part: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.timeout = 300_000;
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    const fail = (message: string) => reject(new ApiError(NETWORK_FAILURE, message));
    xhr.onerror = () => fail('The storage server could not be reached (or does not allow uploads from this site).');
    xhr.ontimeout = () => fail('The storage server stopped answering while this file was being sent.');
    xhr.onabort = () => reject(new DOMException('Upload paused or cancelled', 'AbortError'));
    xhr.onload = () => {
      const etag = xhr.getResponseHeader('ETag');
      if (xhr.status >= 200 && xhr.status < 300 && etag) resolve(etag);
      else
        fail(
          etag ? `The storage server refused a part (HTTP ${xhr.status}).` : 'The storage server does not expose ETag to this site (CORS).',
        );
    };
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    if (signal.aborted) xhr.abort();
    else xhr.send(part);
  });
}
