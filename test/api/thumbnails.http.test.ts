// Over real HTTP, on both databases: thumbnails and media metadata (issue 12, contract section
// 10). Files are written over WebDAV; the media.index job the write queues is run by the
// server's own job runner and waited for (never a sleep); the thumb API answers a signed link
// that works without a token and serves a JPEG in the 400 px box.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/index.js';
import { MEDIA_INDEX_JOB } from '../../src/services/index.js';
import { until } from '../jobs/support.js';
import { DIALECTS } from '../support/databases.js';
import { expectInvariants } from '../support/invariants.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { call, login } from '../support/api-server.js';
import { exifJpeg, hasProgram, minimalPdf, pngBomb, plainPng, testHeic, testMp4 } from '../support/media-samples.js';

const TOOLS = {
  ffmpeg: await hasProgram('ffmpeg'),
  heif: (await hasProgram('heif-enc')) && (await hasProgram('heif-convert')),
  pdftoppm: await hasProgram('pdftoppm'),
};

describe.each(DIALECTS)('thumbnails and media metadata (%s)', (dialect) => {
  let dav: DavServer;
  let token: string;
  let principal: Principal;

  beforeAll(async () => {
    // Thumbnails go with their content: without versions and trash an overwrite or a delete ends it at once.
    dav = await startDavServer(dialect, { config: { jobs: { pollMs: 50 }, trash: { retentionDays: 0 }, versions: { maxCount: 0 } } });
    dav.t.app.jobs.runner.start();
    token = (await login(dav, dav.email)).access_token;
    const user = await dav.t.app.users.get(dav.email);
    principal = await dav.t.app.users.principalFor(user);
  });
  afterAll(async () => {
    await dav?.close();
  });

  const app = () => dav.t.app;

  /** PUT over WebDAV, then wait for the media.index job of the new content to finish; its blob id. */
  async function put(name: string, body: Buffer): Promise<string> {
    const segments = name.split('/');
    if (segments.length > 1) await davFetch(dav, `/dav/${segments[0]}`, { method: 'MKCOL' });
    const response = await davFetch(dav, `/dav/${segments.map(encodeURIComponent).join('/')}`, { method: 'PUT', body });
    expect(response.status).toBeLessThan(300);
    const entry = await app().vfs.stat(principal, segments);
    await app().jobs.feed.settled();
    await until(async () => {
      const jobs = await app().jobs.queue.list({ kind: MEDIA_INDEX_JOB, states: ['completed', 'dead'], limit: 500 });
      return jobs.some((job) => (job.payload as { blobId: string }).blobId === entry.blobId);
    });
    return entry.blobId!;
  }

  const thumb = (name: string) =>
    call<{ url: string; expires: string | null }>(dav, 'GET', '/file/thumb', {
      token,
      query: { uri: `cloudreve://my/${encodeURIComponent(name)}` },
    });

  async function fetchThumbnail(name: string) {
    const answer = await thumb(name);
    expect(answer.code, answer.msg).toBe(0);
    expect(Date.parse(answer.data!.expires!)).toBeGreaterThan(Date.now());
    // No token: the link alone is the credential (contract 9.2, 10).
    const response = await fetch(answer.data!.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await response.arrayBuffer());
    return { url: answer.data!.url, bytes, meta: await sharp(bytes).metadata() };
  }

  it('makes a JPEG thumbnail in the 400 px box after a WebDAV PUT, and reads the EXIF metadata', async () => {
    const blobId = await put('eiffel.jpg', await exifJpeg());
    const record = await app().media.recordOf(blobId);
    expect(record).toMatchObject({
      kind: 'image',
      thumbState: 'ok',
      cameraMake: 'Canon',
      cameraModel: 'EOS R5',
      lens: 'RF 24-70mm',
      width: 1200,
      height: 800,
    });
    expect(new Date(record!.takenAt!).getFullYear()).toBe(2021);
    expect(record!.latitude).toBeCloseTo(48.8583, 3);
    expect(record!.longitude).toBeCloseTo(2.2944, 3);
    const { meta } = await fetchThumbnail('eiffel.jpg');
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([400, 267]);
  });

  it('makes a thumbnail of a PNG; a tall one fits the box by its height', async () => {
    await put('tall.png', await plainPng(300, 600));
    const { meta } = await fetchThumbnail('tall.png');
    expect([meta.width, meta.height]).toEqual([200, 400]);
  });

  it('shows the metadata in /file/info?extended=true and finds photos by type, date taken and camera', async () => {
    await put('Trip/paris.jpg', await exifJpeg('#808080'));
    await put('Trip/plain.png', await plainPng());
    const info = await call<{ extended_info?: { media?: Record<string, unknown> } }>(dav, 'GET', '/file/info', {
      token,
      query: { uri: 'cloudreve://my/Trip/paris.jpg', extended: 'true' },
    });
    expect(info.code, info.msg).toBe(0);
    expect(info.data!.extended_info!.media).toMatchObject({ kind: 'image', camera_model: 'EOS R5', lens: 'RF 24-70mm', width: 1200 });
    expect(info.data!.extended_info!.media!.taken_at).toMatch(/^2021-05-14T/);
    const plain = await call<{ extended_info?: unknown }>(dav, 'GET', '/file/info', {
      token,
      query: { uri: 'cloudreve://my/Trip/paris.jpg' },
    });
    expect(plain.data!.extended_info).toBeUndefined();

    const search = async (conditions: string) => {
      const answer = await call<{ files: Array<{ name: string }> }>(dav, 'GET', '/file', {
        token,
        query: { uri: `cloudreve://my/Trip?${conditions}` },
      });
      expect(answer.code, answer.msg).toBe(0);
      return answer.data!.files.map((file) => file.name).sort();
    };
    const may2021 = [Date.UTC(2021, 4, 1), Date.UTC(2021, 5, 1)].map((ms) => ms / 1000);
    expect(await search('media_type=image')).toEqual(['paris.jpg', 'plain.png']);
    expect(await search('camera=canon')).toEqual(['paris.jpg']);
    expect(await search('camera=nikon')).toEqual([]);
    expect(await search(`taken_gte=${may2021[0]}&taken_lte=${may2021[1]}`)).toEqual(['paris.jpg']);
    expect(await search(`taken_gte=${may2021[1]}`)).toEqual([]);
    expect(await search('media_type=video')).toEqual([]);
    expect((await call(dav, 'GET', '/file', { token, query: { uri: 'cloudreve://my/Trip?media_type=sound' } })).code).toBe(40001);
  });

  it('refuses a decompression bomb (30000×30000 declared): 40077, the failure recorded', async () => {
    const blobId = await put('bomb.png', pngBomb());
    const record = await app().media.recordOf(blobId);
    expect(record?.thumbState).toBe('failed');
    expect(record?.thumbError).toMatch(/pixel limit/i);
    expect(record?.thumbBlobId).toBeNull();
    const answer = await thumb('bomb.png');
    expect(answer.code).toBe(40077);
    // 144 MP: under sharp's own default limit (268 MP), over the configured 100 MP.
    const smaller = await app().media.recordOf(await put('bomb-144mp.png', pngBomb(12000)));
    expect(smaller?.thumbError).toMatch(/pixel limit/i);
  });

  it('answers 40077 for a folder and a type with no thumbnail, 40016 for a missing file', async () => {
    await davFetch(dav, '/dav/Folder', { method: 'MKCOL' });
    await davFetch(dav, '/dav/notes.txt', { method: 'PUT', body: 'hello' });
    expect((await thumb('Folder')).code).toBe(40077);
    expect((await thumb('notes.txt')).code).toBe(40077);
    expect((await thumb('missing.jpg')).code).toBe(40016);
  });

  it('answers a thumbnail right after a write, without waiting for the job (made on first view if need be)', async () => {
    const { user, principal: other } = await dav.t.newUser();
    const otherToken = (await login(dav, user.email)).access_token;
    const { Readable } = await import('node:stream');
    await app().vfs.write(other, ['first.png'], Readable.from([await plainPng(800, 400)]));
    const answer = await call<{ url: string }>(dav, 'GET', '/file/thumb', {
      token: otherToken,
      query: { uri: 'cloudreve://my/first.png' },
    });
    expect(answer.code, answer.msg).toBe(0);
    const bytes = Buffer.from(await (await fetch(answer.data!.url)).arrayBuffer());
    expect((await sharp(bytes).metadata()).width).toBe(400);
  });

  it('drops the thumbnail when the content changes; gc keeps live thumbnails and removes orphaned ones', async () => {
    const first = await put('changing.jpg', await exifJpeg('#ff0000'));
    const before = await fetchThumbnail('changing.jpg');
    const oldThumb = (await app().media.recordOf(first))!.thumbBlobId!;
    const second = await put('changing.jpg', await plainPng(100, 50).then((png) => sharp(png).jpeg().toBuffer()));
    expect(second).not.toBe(first);
    // The old content went, and its media row with it.
    expect(await app().media.recordOf(first)).toBeNull();
    const report = await app().gc.run({ graceMs: 0 });
    expect(report.unreferenced).toBeGreaterThanOrEqual(1);
    await expect(app().media.openThumbnail(oldThumb)).rejects.toThrow(/no record/);
    // The old link no longer serves (the version is gone); the new thumbnail survived gc.
    expect((await fetch(before.url)).status).toBe(404);
    const after = await fetchThumbnail('changing.jpg');
    expect([after.meta.width, after.meta.height]).toEqual([100, 50]);
    // And a second gc finds nothing more to take.
    expect((await app().gc.run({ graceMs: 0 })).unreferenced).toBe(0);
    // Doctor sees no problem with thumbnail blobs.
    const doctor = await app().doctor.run({ repair: false });
    expect(doctor.problems.filter((problem) => problem.kind === 'reference-count')).toEqual([]);
    await expectInvariants(app().database);
  });

  it('frees the thumbnail when the file is deleted', async () => {
    const blobId = await put('gone.png', await plainPng());
    const thumbBlob = (await app().media.recordOf(blobId))!.thumbBlobId!;
    await davFetch(dav, '/dav/gone.png', { method: 'DELETE' });
    expect(await app().media.recordOf(blobId)).toBeNull();
    await app().gc.run({ graceMs: 0 });
    await expect(app().media.openThumbnail(thumbBlob)).rejects.toThrow(/no record/);
  });

  it.skipIf(!TOOLS.ffmpeg)('makes a poster frame of an MP4 and reads its duration and size (needs ffmpeg)', async () => {
    const blobId = await put('clip.mp4', await testMp4());
    const record = await app().media.recordOf(blobId);
    expect(record).toMatchObject({ kind: 'video', thumbState: 'ok', width: 320, height: 240 });
    expect(record!.durationMs).toBeGreaterThanOrEqual(900);
    expect(record!.durationMs).toBeLessThanOrEqual(1100);
    const { meta } = await fetchThumbnail('clip.mp4');
    expect([meta.width, meta.height]).toEqual([320, 240]);
  });

  it.skipIf(!TOOLS.ffmpeg)('refuses a playlist posing as a video: ffmpeg may not open other files (needs ffmpeg)', async () => {
    // A real video elsewhere on this machine, named by an HLS playlist and a concat list: a
    // thumbnail of it would show a user what another file holds. Neither demuxer is allowed.
    const dir = mkdtempSync(path.join(tmpdir(), 'cumulus-secret-'));
    const secret = path.join(dir, 'secret.mp4');
    writeFileSync(secret, await testMp4());
    try {
      for (const [name, body] of [
        ['playlist.mp4', `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${secret}\n#EXT-X-ENDLIST\n`],
        ['concat.mkv', `ffconcat version 1.0\nfile '${secret}'\n`],
      ] as const) {
        const blobId = await put(name, Buffer.from(body));
        const record = await app().media.recordOf(blobId);
        expect(record?.thumbState, name).toBe('failed');
        expect(record?.thumbBlobId).toBeNull();
        expect(record?.durationMs).toBeNull();
        expect((await thumb(name)).code).toBe(40077);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!TOOLS.heif)('makes a thumbnail of a HEIC (needs heif-enc and heif-convert)', async () => {
    await put('iphone.heic', await testHeic());
    const { meta } = await fetchThumbnail('iphone.heic');
    expect([meta.width, meta.height]).toEqual([400, 300]);
  });

  it.skipIf(!TOOLS.pdftoppm)('makes a thumbnail of a PDF first page (needs pdftoppm)', async () => {
    const blobId = await put('doc.pdf', minimalPdf());
    expect((await app().media.recordOf(blobId))?.kind).toBe('pdf');
    const { meta } = await fetchThumbnail('doc.pdf');
    expect([meta.width, meta.height]).toEqual([400, 200]);
  });
});
