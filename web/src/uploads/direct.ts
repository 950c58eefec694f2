import { ApiError, NETWORK_FAILURE, messageOf } from '../api/client';
import { call } from '../api/session';
import type { UploadSession } from '../api/types';

/**
 * Direct uploads to S3 (contract 15.5): part i is PUT to the session's upload_urls[i], the
 * store's ETags go to its completion URL, then the callback lets the server check the object
 * and turn the placeholder into the file. No byte passes through this server. The page's CSP
 * lets it connect to the store (the server lists the origins of such policies), and the
 * bucket's CORS configuration must expose the ETag header (README, S3 policies).
 */
export type DirectSession = UploadSession & { upload_urls: string[]; completeURL: string; callback_secret: string };

export function isDirect(session: UploadSession): session is DirectSession {
  return session.storage_policy?.type === 's3' && (session.upload_urls?.length ?? 0) > 0 && Boolean(session.completeURL);
}

const PART_RETRIES = 2;

export async function sendDirect(
  file: Blob,
  session: DirectSession,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const partSize = session.chunk_size;
  const etags: string[] = [];
  for (const [index, url] of session.upload_urls.entries()) {
    const start = index * partSize;
    const part = file.slice(start, Math.min(file.size, start + partSize));
    for (let attempt = 0; ; attempt++) {
      try {
        etags.push(await putPart(url, part, (loaded) => onProgress(start + loaded), signal));
        break;
      } catch (error) {
        if (signal.aborted || attempt >= PART_RETRIES || !(error instanceof ApiError && error.code === NETWORK_FAILURE)) throw error;
        await wait(1000 * 2 ** attempt, signal);
      }
    }
  }
  await completeMultipart(session.completeURL, etags, signal);
  await call('GET', `/callback/s3/${encodeURIComponent(session.session_id)}/${encodeURIComponent(session.callback_secret)}`, {
    signal,
  });
}

/** One part, with XMLHttpRequest for its upload progress; resolves with the store's ETag. */
function putPart(url: string, part: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.timeout = 120_000;
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    const fail = (message: string) => reject(new ApiError(NETWORK_FAILURE, message));
    xhr.onerror = () => fail('The storage server could not be reached, or its CORS configuration refuses this page.');
    xhr.ontimeout = () => fail('The storage server stopped answering while a part was being sent.');
    xhr.onabort = () => reject(new DOMException('Upload paused or cancelled', 'AbortError'));
    xhr.onload = () => {
      const etag = xhr.getResponseHeader('ETag');
      if (xhr.status !== 200) fail(`The storage server refused a part (HTTP ${xhr.status}).`);
      else if (!etag) reject(new Error("The storage server sent no ETag: its bucket's CORS configuration must expose the ETag header."));
      else resolve(etag);
    };
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    if (signal.aborted) xhr.abort();
    else xhr.send(part);
  });
}

async function completeMultipart(url: string, etags: readonly string[], signal: AbortSignal): Promise<void> {
  const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml' },
      body: `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`,
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiError(NETWORK_FAILURE, `The storage server could not complete the upload: ${messageOf(error)}`);
  }
  // S3 may answer 200 and still report an error in the body.
  if (!response.ok || /<Error>/.test(text)) {
    const reason = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new Error(`The storage server refused to complete the upload: ${reason}`);
  }
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Waits `ms`, or rejects with an AbortError when `signal` aborts first. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      },
      { once: true },
    );
  });
}
