// Issue 11 "Show": an S3-bound folder, set up and served the way users run Cumulus (the real
// CLI, a spawned `cumulus serve`), driven by litmus and rclone against a real s3rver.
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulus, serveCumulus, spawnCumulus, type ServedCumulus } from '../support/cli.js';
import { DIALECTS, freshDatabase, tempDir } from '../support/databases.js';
import { expectLitmusSuitePasses } from '../support/litmus.js';
import { rclone, type Remote } from '../support/rclone.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const EMAIL = 's3-user@example.test';
const PREFIX = 'objects/';
/** s3rver's fixed account (its secret key is the same string as its access key). */
const SECRET = 'S3RVER';
const MiB = 1024 * 1024;

/** Every regular file below a directory (relative paths); none when it does not exist. */
function filesBelow(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
  } catch {
    return [];
  }
}

// litmus and rclone speak only WebDAV and run on SQLite; the rest runs on both databases.
describe.each(DIALECTS)('an S3-bound folder end to end on %s (cumulus serve, litmus, rclone, policy migrate)', (dialect) => {
  const data = tempDir('cumulus-s3e2e-');
  const work = tempDir('cumulus-s3e2e-work-');
  let s3: S3Server;
  let server: ServedCumulus;
  let auth: string;
  let rooted: Remote;
  let database: { url: string; drop: () => Promise<void> };
  const env = () => ({ CUMULUS_DATABASE_URL: database.url });
  const cli = (...args: string[]) => cumulus(['--data', data.path, ...args], env());
  const must = (...args: string[]) => {
    const result = cli(...args);
    if (result.status !== 0) throw new Error(`cumulus ${args.join(' ')}: exit ${result.status}\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  const dav = (method: string, file: string, init: RequestInit = {}) =>
    fetch(`${server.url}/dav${file}`, { ...init, method, headers: { authorization: auth, ...init.headers } });
  const bucketKeys = async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET },
    });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'cumulus', Prefix: PREFIX, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.NextContinuationToken;
    } while (token);
    client.destroy();
    return keys;
  };
  const localBlobs = () => filesBelow(path.join(data.path, 'blobs'));

  beforeAll(async () => {
    database = await freshDatabase(dialect, data.path);
    s3 = await startS3Server('cumulus');
    must('user', 'add', '--email', EMAIL, '--password', 'correct horse battery staple');
    const added = cli(
      'policy',
      'add',
      'objects',
      '--type',
      's3',
      '--endpoint',
      s3.endpoint,
      '--bucket',
      'cumulus',
      '--region',
      'us-east-1',
      '--access-key',
      'S3RVER',
      '--secret-key',
      SECRET,
      '--prefix',
      PREFIX,
      '--path-style',
    );
    expect(added.status, added.stderr).toBe(0);
    const tested = cli('policy', 'test', 'objects');
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain('Storage policy "objects": works');
    // The built-in local policy stays the group's default; /S3 alone is bound to the bucket.
    must('group', 'set', 'User', '--policies', 'Default local storage,objects');
    const account = must('dav-account', 'create', '--user', EMAIL, '--name', 'everything', '--json').json<{ password: string }>();
    auth = `Basic ${Buffer.from(`${EMAIL}:${account.password}`).toString('base64')}`;
    server = await serveCumulus(data.path, { env: env() });
    expect((await dav('MKCOL', '/S3')).status).toBe(201);
    expect((await dav('MKCOL', '/Local')).status).toBe(201);
    must('folder', 'bind', '--user', EMAIL, '--path', '/S3', '--policy', 'objects');
    const jailed = must('dav-account', 'create', '--user', EMAIL, '--name', 'litmus', '--root', '/S3', '--json').json<{
      password: string;
    }>();
    rooted = { url: `${server.url}/dav/`, user: EMAIL, pass: jailed.password, vendor: 'other' };
  }, 240_000);

  afterAll(async () => {
    const exited = await server?.stop();
    await s3?.close();
    // Whatever the tests did, the server logged at info level and never logged the secret key.
    if (server) {
      expect(server.stdout() + server.stderr()).not.toContain(SECRET);
      expect(server.logs().length).toBeGreaterThan(10);
      expect(exited?.code).toBe(0);
    }
    await database?.drop();
    data.remove();
    work.remove();
  });

  it.skipIf(dialect !== 'sqlite').each(['basic', 'copymove', 'props', 'locks', 'http'])(
    'litmus %s passes in the S3 folder, its bytes in the bucket and none on local disk',
    async (suite) => {
      await expectLitmusSuitePasses(rooted.url, rooted.user, rooted.pass, suite, work.path);
      expect(localBlobs()).toEqual([]);
      if (suite === 'basic') expect((await bucketKeys()).length).toBeGreaterThan(0);
    },
    600_000,
  );

  it.skipIf(dialect !== 'sqlite')(
    'rclone copies a tree (a multipart file, awkward names) into /S3 and checks it with 0 differences',
    async () => {
      const tree = path.join(work.path, 'tree');
      mkdirSync(path.join(tree, 'sub dir', 'ünï'), { recursive: true });
      const files: Array<[string, Buffer]> = [
        ['big.bin', Buffer.from(Array.from({ length: 17 * MiB + 3 }, (_, i) => (i * 131 + (i >> 11)) % 256))],
        ['sub dir/naïve café #1 (copy)&more.txt', Buffer.from('awkward\n'.repeat(100))],
        ['sub dir/ünï/100% 😀 ＜full＞.md', Buffer.from('# emoji\n')],
        ["sub dir/it's a [test] +plus.txt", Buffer.from('quote\n')],
        ['empty', Buffer.alloc(0)],
      ];
      for (const [name, content] of files) writeFileSync(path.join(tree, name), content);
      const before = (await bucketKeys()).length;
      const remote = { ...rooted, vendor: 'owncloud' as const };
      const copy = await rclone(remote, ['copy', tree, 'cumulus:tree']);
      expect(copy.status, copy.output).toBe(0);
      const check = await rclone(remote, ['check', tree, 'cumulus:tree']);
      expect(check.status, check.output).toBe(0);
      expect(check.output).toMatch(/0 differences found/);
      expect(check.output).not.toMatch(/No common hash found/);
      expect((await bucketKeys()).length).toBeGreaterThan(before);
      expect(localBlobs()).toEqual([]);
    },
    600_000,
  );

  it('policy migrate moves /Local into the bucket while GETs keep answering the same bytes', async () => {
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < 4; i++) {
      const body = Buffer.alloc(MiB + i, 40 + i);
      contents.set(`/Local/file-${i}.bin`, body);
      expect((await dav('PUT', `/Local/file-${i}.bin`, { body })).status).toBe(201);
    }
    const onDisk = localBlobs();
    expect(onDisk.length).toBeGreaterThanOrEqual(4);
    const before = (await bucketKeys()).length;

    let reading = true;
    const reads = (async () => {
      let count = 0;
      while (reading || count === 0) {
        for (const [file, body] of contents) {
          const response = await dav('GET', file);
          expect(response.status).toBe(200);
          expect(
            createHash('sha256')
              .update(Buffer.from(await response.arrayBuffer()))
              .digest('hex'),
          ).toBe(createHash('sha256').update(body).digest('hex'));
          count++;
        }
      }
      return count;
    })();
    // Spawned, not spawnSync: the GETs above run while the migration does.
    const migrate = spawnCumulus(['--data', data.path, 'policy', 'migrate', '--to', 'objects', '--user', EMAIL, '--path', '/Local'], env());
    let output = '';
    migrate.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    migrate.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(migrate, 'exit')) as [number | null];
    reading = false;
    expect(await reads).toBeGreaterThan(0);
    expect(code, output).toBe(0);

    expect((await bucketKeys()).length).toBe(before + 4);
    must('gc', '--grace', '0');
    expect(localBlobs()).toEqual([]);
    for (const [file, body] of contents) {
      const response = await dav('GET', file);
      expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    }
  }, 600_000);

  it('s3rver killed during a multipart PUT into /S3: 502/503, nothing partial, the server keeps serving', async () => {
    const total = 24 * MiB;
    const objectsBefore = (await bucketKeys()).length;
    const sent = Buffer.alloc(MiB, 5);
    const upload = request(`${server.url}/dav/S3/killed-mid-way.bin`, {
      method: 'PUT',
      agent: false,
      headers: { authorization: auth, 'content-length': String(total) },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      upload.on('error', reject).on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
    });
    const write = (chunk: Buffer) => new Promise<void>((resolve) => (upload.write(chunk) ? resolve() : upload.once('drain', resolve)));
    // More than two 5 MiB parts have passed through the server before the store goes away,
    // whether or not it has sent them on yet: either way the PUT fails whole.
    for (let i = 0; i < 12; i++) await write(sent);
    await s3.kill();
    // The server may answer (and close) before the rest is sent: a write after that is lost.
    upload.on('error', () => undefined);
    for (let i = 12; i < 24 && !upload.destroyed; i++) await Promise.race([write(sent), answered]);
    upload.end();
    const { status, body } = await answered;
    expect([502, 503], body).toContain(status);
    expect(body).toMatch(/S3 bucket "cumulus" .*cannot be reached/);
    const listing = await dav('PROPFIND', '/S3/', { headers: { depth: '1' } });
    expect(await listing.text()).not.toContain('killed-mid-way');
    expect((await dav('PUT', '/Local/after-kill.txt', { body: 'served' })).status).toBe(201);
    await s3.restart();
    // No object of the failed PUT in the bucket (its parts, if any, never became one).
    expect((await bucketKeys()).length).toBe(objectsBefore);
    const again = await dav('PUT', '/S3/after-restart.bin', { body: Buffer.alloc(MiB, 6) });
    expect(again.status).toBe(201);
    expect(Buffer.from(await (await dav('GET', '/S3/after-restart.bin')).arrayBuffer()).equals(Buffer.alloc(MiB, 6))).toBe(true);
  }, 300_000);

  it('with s3rver gone: PUT into /S3 answers 502/503 readably, /Local still works, nothing partial in /S3', async () => {
    await s3.kill();
    const failedTest = cli('policy', 'test', 'objects');
    expect(failedTest.status).not.toBe(0);
    expect(failedTest.stdout + failedTest.stderr).toMatch(/FAIL connect: .*cannot be reached/);

    const refused = await dav('PUT', '/S3/while-down.bin', { body: Buffer.alloc(2 * MiB, 9) });
    const message = await refused.text();
    expect([502, 503], message).toContain(refused.status);
    expect(message).toMatch(/S3 bucket "cumulus" .*cannot be reached/);
    expect(message).not.toContain(SECRET);
    const local = await dav('PUT', '/Local/while-down.txt', { body: 'still here' });
    expect(local.status).toBe(201);
    expect(await (await dav('GET', '/Local/while-down.txt')).text()).toBe('still here');

    const listing = await dav('PROPFIND', '/S3/', { headers: { depth: '1' } });
    expect(listing.status).toBe(207);
    expect(await listing.text()).not.toContain('while-down');
    expect((await dav('GET', '/S3/while-down.bin')).status).toBe(404);

    await s3.restart();
    expect(cli('policy', 'test', 'objects').status).toBe(0);
  }, 300_000);
});
