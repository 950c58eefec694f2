import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { UnavailableError, UpstreamError } from '../../src/core/index.js';
import { createBackend, S3Backend } from '../../src/storage/index.js';
import { blobBackendContract } from '../contract/blob-backend.contract.js';
import { readAll } from '../support/app.js';
import { freePort } from '../support/cli.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

blobBackendContract('s3 (s3rver)', async () => {
  const server = await startS3Server();
  const backend = new S3Backend(server.settings('blobs/'));
  return {
    backend,
    close: async () => {
      backend.close();
      await server.close();
    },
    outage: { stop: () => server.kill(), restart: () => server.restart() },
  };
});

describe('s3 backend', () => {
  let server: S3Server;
  let backend: S3Backend;
  beforeAll(async () => {
    server = await startS3Server();
    backend = new S3Backend(server.settings('policy-a'));
  });
  afterAll(async () => {
    backend.close();
    await server.close();
  });

  const body = (bytes: Buffer | string) => Readable.from([Buffer.from(bytes)]);

  it('keeps its objects under its prefix and lists only those', async () => {
    const other = new S3Backend(server.settings('policy-b/'));
    await backend.put('ab/one', body('a'));
    await other.put('ab/one', body('bb'));
    const listed = [];
    for await (const object of backend.list()) listed.push(object);
    expect(listed.map((o) => [o.key, o.size])).toEqual([['ab/one', 1]]);
    expect(listed[0]!.modifiedAt).toBeGreaterThan(Date.now() - 600_000);
    expect((await readAll(await other.get('ab/one'))).toString()).toBe('bb');
    other.close();
  });

  it('is what createBackend builds for an s3 policy', () => {
    const built = createBackend('s3', server.settings(), { dataDir: '/nonexistent' });
    expect(built).toBeInstanceOf(S3Backend);
    (built as S3Backend).close();
  });

  it('presigns a GET that serves the bytes with the asked Content-Disposition and type', async () => {
    await backend.put('pr/esign', body('presigned bytes'));
    const url = await backend.presignGet('pr/esign', {
      expiresInSeconds: 60,
      fileName: 'Übersicht "2024".txt',
      disposition: 'attachment',
      contentType: 'text/plain',
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('presigned bytes');
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="_bersicht _2024_.txt"; filename*=UTF-8''%C3%9Cbersicht%20%222024%22.txt`,
    );
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('caps a presigned URL at seven days', async () => {
    const url = await backend.presignGet('pr/esign', { expiresInSeconds: 30 * 86400, fileName: 'a.txt', disposition: 'inline' });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(7 * 86400));
  });

  it('runs a direct multipart upload through the presigned URLs', async () => {
    const partSize = 5 * 1024 * 1024;
    const bytes = Buffer.alloc(partSize * 2 + 1234);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 256;
    const upload = await backend.createDirectUpload('di/rect', { size: bytes.length, partSize, expiresInSeconds: 600 });
    expect(upload.partUrls).toHaveLength(3);
    const etags: string[] = [];
    for (const [i, url] of upload.partUrls.entries()) {
      const response = await fetch(url, { method: 'PUT', body: bytes.subarray(i * partSize, (i + 1) * partSize) });
      expect(response.status).toBe(200);
      etags.push(response.headers.get('etag')!);
    }
    expect(await backend.stat('di/rect')).toBeNull(); // nothing at the key before completion
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('');
    const completed = await fetch(upload.completeUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml' },
      body: `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`,
    });
    expect(completed.status).toBe(200);
    expect(await backend.stat('di/rect')).toEqual({ size: bytes.length });
    expect((await readAll(await backend.get('di/rect'))).equals(bytes)).toBe(true);
  });

  it('abandons a direct upload without error, and refuses more than 10,000 parts', async () => {
    const upload = await backend.createDirectUpload('di/abandoned', { size: 10, partSize: 5 * 1024 * 1024, expiresInSeconds: 60 });
    await backend.abortDirectUpload('di/abandoned', upload.uploadId);
    expect(await backend.stat('di/abandoned')).toBeNull();
    await expect(
      backend.createDirectUpload('di/huge', { size: 10_001 * 5 * 1024 * 1024, partSize: 5 * 1024 * 1024, expiresInSeconds: 60 }),
    ).rejects.toThrow('more than 10000 parts');
  });

  it('probes the store, leaving nothing behind', async () => {
    const probed = new S3Backend(server.settings('probe/'));
    await probed.probe();
    const left = [];
    for await (const object of probed.list()) left.push(object.key);
    expect(left).toEqual([]);
    probed.close();
  });

  it('reports wrong credentials as a failing upstream that names the store and no secret', async () => {
    const wrong = new S3Backend(server.settings('', { accessKeyId: 'NOT-THE-KEY', secretAccessKey: 'not-the-secret-xyz' }));
    const failure = await wrong.probe().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    const message = (failure as Error).message;
    expect(message).toContain('could not write a probe object');
    expect(message).toContain(`S3 bucket "cumulus" at ${new URL(server.endpoint).host}`);
    expect(message).toContain('HTTP 403');
    expect(message).not.toMatch(/not-the-secret-xyz|NOT-THE-KEY/);
    expect(message).not.toMatch(/X-Amz-Signature|S3RVER/);
    wrong.close();
  });

  it('reports an unreachable store as unavailable', async () => {
    const port = await freePort();
    const gone = new S3Backend({ ...server.settings(), endpoint: `http://127.0.0.1:${port}` });
    const failure = await gone.stat('ab/one').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error).message).toContain(`S3 bucket "cumulus" at 127.0.0.1:${port} cannot be reached`);
    const probeFailure = await gone.probe().catch((error: unknown) => error);
    expect(probeFailure).toBeInstanceOf(UnavailableError);
    expect((probeFailure as Error).message).toContain('could not write a probe object');
    gone.close();
  });
});
