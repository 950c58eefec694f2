import { API_BASE, ApiError, NETWORK_FAILURE, unwrap } from './client';
import { accessToken, call } from './session';
import type { Envelope, UploadSession } from './types';

export interface NewUploadSession {
  readonly uri: string;
  readonly size: number;
  /** Unix milliseconds (contract 3.3). */
  readonly lastModified: number;
  readonly mimeType: string;
  /** 'version' replaces the content of an existing file (contract 15.1). */
  readonly entityType?: 'version';
  readonly policyId?: string;
  /** Send every chunk through this server even where the store could take them directly. */
  readonly relay?: boolean;
}

/** Contract 15.1: a session, and a placeholder file that appears at once. */
export function createUploadSession(request: NewUploadSession): Promise<UploadSession> {
  return call<UploadSession>('PUT', '/file/upload', {
    json: {
      uri: request.uri,
      size: request.size,
      last_modified: request.lastModified,
      mime_type: request.mimeType,
      ...(request.entityType && { entity_type: request.entityType }),
      ...(request.policyId && { policy_id: request.policyId }),
      // Without relay, a folder on a store that takes direct uploads (S3) gets presigned part URLs.
      ...(request.relay && { relay: true }),
    },
  });
}

/** Where a session stands (a Cumulus addition to contract 15): the chunks stored so far. */
export interface UploadProgress {
  readonly session_id: string;
  readonly chunks: number;
  readonly uploaded: number[];
  readonly completed: boolean;
}

export function uploadProgress(sessionId: string): Promise<UploadProgress> {
  return call<UploadProgress>('GET', `/file/upload/${encodeURIComponent(sessionId)}`);
}

/** Contract 15.6: removes the placeholder and what was received. */
export function cancelUploadSession(id: string, uri: string): Promise<void> {
  return call<void>('DELETE', '/file/upload', { json: { id, uri } });
}

/**
 * Contract 15.3: one chunk, sent with XMLHttpRequest because fetch reports no upload
 * progress. Resolves when the server accepted it; an ApiError otherwise (NETWORK_FAILURE for
 * a dropped connection, so the caller can retry the same index: chunks may be re-sent).
 */
export async function uploadChunk(
  sessionId: string,
  index: number,
  chunk: Blob,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const token = await accessToken();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/file/upload/${encodeURIComponent(sessionId)}/${index}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    // A stalled connection must surface as a failure the user can retry, not a silent stall.
    xhr.timeout = 120_000;
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    const fail = (message: string) => reject(new ApiError(NETWORK_FAILURE, message));
    xhr.onerror = () => fail('The connection dropped while sending this file.');
    xhr.ontimeout = () => fail('The server stopped answering while this file was being sent.');
    xhr.onabort = () => reject(new DOMException('Upload paused or cancelled', 'AbortError'));
    xhr.onload = () => {
      try {
        unwrap(JSON.parse(xhr.responseText) as Envelope<unknown>);
        resolve();
      } catch (error) {
        if (error instanceof ApiError) reject(error);
        else fail(`The server answered HTTP ${xhr.status} without an API response.`);
      }
    };
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    if (signal.aborted) xhr.abort();
    else xhr.send(chunk);
  });
}
