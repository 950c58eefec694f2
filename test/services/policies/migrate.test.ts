import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../../src/core/index.js';
import { DIALECTS } from '../../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../../support/app.js';
import { expectInvariants } from '../../support/invariants.js';
import { allowForUsers, filesUnder, localPolicy, placeOf, storedIn } from './support.js';

describe.each(DIALECTS)('policy migrate on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;
  let them: Principal;
  let hot: { id: number; dir: string };
  let cold: { id: number; dir: string };
  const contents = new Map<string, Buffer>();

  beforeAll(async () => {
    t = await startTestApp(dialect);
    hot = await localPolicy(t.app, t.dataDir, 'hot');
    cold = await localPolicy(t.app, t.dataDir, 'cold');
    await allowForUsers(t.app, [hot.id, cold.id]);
    me = (await t.newUser()).principal;
    them = (await t.newUser()).principal;
    await t.app.vfs.mkdir(me, parsePath('/a/b'), { parents: true });
    for (let i = 0; i < 12; i++) {
      const path = `/${i % 3 === 0 ? 'a/b/' : i % 2 === 0 ? 'a/' : ''}file-${i}.bin`;
      const body = randomBytes(i === 0 ? 300_000 : 1000 + i);
      contents.set(path, body);
      await t.app.vfs.write(me, parsePath(path), bodyOf(body));
    }
    // COPY shares the blob: both files move together, with one copy of the bytes.
    await t.app.vfs.copy(me, parsePath('/file-1.bin'), parsePath('/a/copy-of-1.bin'));
    contents.set('/a/copy-of-1.bin', contents.get('/file-1.bin')!);
    await t.app.vfs.write(them, parsePath('/theirs.bin'), bodyOf('not in the scope'));
  });
  afterAll(() => t.close());

  const blobOf = async (principal: Principal, path: string) => (await t.app.vfs.stat(principal, parsePath(path))).blobId!;

  it('moves one folder of one user, interrupted and resumed, while a reader streams the old bytes', async () => {
    const user = me.userId;
    const folder = (await t.app.vfs.stat(me, parsePath('/a'))).id;
    const scope = { to: cold.id, from: hot.id, ownerId: user, folderId: folder };
    const inScope = [...contents.keys()].filter((path) => path.startsWith('/a/'));
    const distinctBlobs = new Set(await Promise.all(inScope.map((path) => blobOf(me, path))));
    expect(await t.app.policyMigration.remaining(scope)).toMatchObject({ blobs: distinctBlobs.size });
    const etags = new Map(await Promise.all(inScope.map(async (p) => [p, (await t.app.vfs.stat(me, parsePath(p))).etag] as const)));

    // A reader that began before the migration keeps streaming the content it opened.
    const reading = await t.app.vfs.read(me, parsePath('/a/b/file-0.bin'));
    const firstChunk = await new Promise<Buffer>((resolve) => reading.stream.once('data', (chunk: Buffer) => resolve(chunk)));
    reading.stream.pause();

    // Interrupted after three contents (a cancelled job, a stopped server).
    const stop = new AbortController();
    const first = t.app.policyMigration.run(scope, {
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.done === 3) stop.abort(new Error('interrupted'));
      },
    });
    await expect(first).rejects.toThrow('interrupted');
    expect((await t.app.policyMigration.remaining(scope)).blobs).toBe(distinctBlobs.size - 3);

    const report = await t.app.policyMigration.run(scope);
    expect(report).toMatchObject({ moved: distinctBlobs.size - 3, skipped: 0, missing: [] });
    expect(await t.app.policyMigration.remaining(scope)).toEqual({ blobs: 0, bytes: 0 });

    const rest: Buffer[] = [firstChunk];
    reading.stream.resume();
    for await (const chunk of reading.stream) rest.push(chunk as Buffer);
    expect(Buffer.concat(rest).equals(contents.get('/a/b/file-0.bin')!)).toBe(true);

    for (const path of contents.keys()) {
      const entry = await t.app.vfs.stat(me, parsePath(path));
      const where = await placeOf(t.app, entry.blobId!);
      expect(where.policyId, path).toBe(path.startsWith('/a/') ? cold.id : hot.id);
      expect(storedIn(path.startsWith('/a/') ? cold.dir : hot.dir, entry.blobId!), path).toBe(true);
      expect((await readAll((await t.app.vfs.read(me, parsePath(path))).stream)).equals(contents.get(path)!), path).toBe(true);
      if (etags.has(path)) expect(entry.etag, 'the content did not change').toBe(etags.get(path));
    }
    expect(await blobOf(me, '/a/copy-of-1.bin')).not.toBe(await blobOf(me, '/file-1.bin'));
    await expectInvariants(t.app.database, { quiescent: true });
  });

  it('moves everything else, leaves the source policy empty and the blob counts right', async () => {
    const report = await t.app.policyMigration.run({ to: cold.id });
    expect(report.missing).toEqual([]);
    expect(filesUnder(hot.dir)).toEqual([]);
    expect((await placeOf(t.app, await blobOf(them, '/theirs.bin'))).policyId).toBe(cold.id);
    for (const [path, body] of contents) {
      expect((await readAll((await t.app.vfs.read(me, parsePath(path))).stream)).equals(body), path).toBe(true);
    }
    expect((await t.app.policies.show('hot')).usage).toMatchObject({ blobs: 0 });
    await expectInvariants(t.app.database, { quiescent: true });
  });

  it('runs as a job on the queue, with progress, and a second run finds nothing to do', async () => {
    const job = await t.app.policyMigration.enqueue({ to: hot.id, ownerId: them.userId });
    t.app.jobs.runner.start();
    let finished = await t.app.jobs.queue.get(job.id);
    for (let i = 0; i < 600 && finished.state !== 'completed' && finished.state !== 'dead'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = await t.app.jobs.queue.get(job.id);
    }
    await t.app.jobs.runner.stop();
    expect(finished).toMatchObject({ state: 'completed', result: { moved: 1, files: 1 } });
    expect((await placeOf(t.app, await blobOf(them, '/theirs.bin'))).policyId).toBe(hot.id);
    expect(await t.app.policyMigration.run({ to: hot.id, ownerId: them.userId })).toMatchObject({ moved: 0 });
  });
});
