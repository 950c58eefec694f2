// `cumulus serve --workers 2` as real processes: both workers serve, a killed worker is
// replaced while the other keeps serving, and SIGTERM drains an upload in flight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/http/index.js';
import { tempDir } from '../support/databases.js';
import { cumulus, serveCumulus, type ServedCumulus } from '../support/cli.js';

/** One request on a connection of its own (no keep-alive), so the primary hands each to the next worker. */
function get(url: string): Promise<IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(Object.assign(response, { body })));
    })
      .on('error', reject)
      .end();
  });
}

const until = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Pids of the processes that logged a completed request for `url` since log line `from`. */
function servingPids(server: ServedCumulus, from = 0): Set<number> {
  return new Set(
    server
      .logs()
      .slice(from)
      .filter((line) => line.msg === 'request completed' && typeof line.worker === 'number')
      .map((line) => line.pid as number),
  );
}

function listeningWorkers(server: ServedCumulus): number[] {
  return server
    .logs()
    .filter((line) => line.role === 'primary' && line.msg === 'worker listening')
    .map((line) => line.workerPid as number);
}

describe('serve --workers 2', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: ServedCumulus;
  beforeAll(async () => {
    dir = tempDir();
    server = await serveCumulus(dir.path, { workers: 2 });
    await until(() => listeningWorkers(server).length === 2, 'both workers to listen');
  }, 240_000);
  afterAll(async () => {
    server.child.kill('SIGKILL');
    dir.remove();
  });

  it('gives workers the server node flags of the start script and the bin shebang', () => {
    const root = path.join(import.meta.dirname, '../..');
    const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const shebang = readFileSync(path.join(root, 'src/cli/main.ts'), 'utf8').split('\n')[0]!;
    for (const flag of SERVER_NODE_FLAGS) {
      expect(start).toContain(` ${flag} `);
      expect(shebang).toContain(` ${flag}`);
    }
  });

  it('serves from both workers, creates the first admin once, and names the processes', async () => {
    const from = server.logs().length;
    for (let i = 0; i < 40 && servingPids(server, from).size < 2; i++) {
      const response = await get(`${server.url}/api/v4/site/ping`);
      expect(response.statusCode).toBe(200);
    }
    expect(servingPids(server, from).size).toBe(2);
    expect(server.stdout().match(/password: /g)).toHaveLength(1);
    const titles = listeningWorkers(server).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    expect(titles.sort()).toEqual(['cumulus: worker 1', 'cumulus: worker 2']);
    expect(readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()).toBe('cumulus: primary');
    // Workers run with the server's node flags although this primary was started without them.
    const starts = server.logs().filter((line) => line.msg === 'worker starting');
    expect(starts).toHaveLength(2);
    for (const start of starts) expect(start.nodeFlags).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
  }, 60_000);

  it('replaces a worker killed with SIGKILL while the other keeps serving', async () => {
    const [victim, survivor] = listeningWorkers(server) as [number, number];
    process.kill(victim, 'SIGKILL');
    // A connection the primary hands to a worker as it is killed is lost with it (node:cluster);
    // once the primary has seen the death, every request is answered, by the survivor until
    // the replacement listens.
    await until(() => server.logs().some((line) => line.msg === 'worker died; replacing it' && line.workerPid === victim), 'the death');
    await until(async () => {
      const response = await get(`${server.url}/api/v4/site/ping`);
      expect(response.statusCode).toBe(200);
      return listeningWorkers(server).length === 3;
    }, 'a replacement worker');
    const replacement = listeningWorkers(server)[2]!;
    expect([victim, survivor]).not.toContain(replacement);
    const from = server.logs().length;
    for (let i = 0; i < 40 && servingPids(server, from).size < 2; i++) await get(`${server.url}/api/v4/site/ping`);
    expect(servingPids(server, from)).toEqual(new Set([survivor, replacement]));
  }, 240_000);

  it('drains on SIGTERM: a slow upload in flight completes, new connections are refused, exit code 0', async () => {
    const account = cumulus([
      '--data',
      dir.path,
      'dav-account',
      'create',
      '--user',
      'admin@cumulus.local',
      '--name',
      'drain',
      '--json',
    ]).json<{
      password: string;
    }>();
    const auth = `Basic ${Buffer.from(`admin@cumulus.local:${account.password}`).toString('base64')}`;
    const body = Buffer.alloc(3 * 256 * 1024, 7);
    const upload = request(`${server.url}/dav/drained.bin`, {
      method: 'PUT',
      agent: false,
      headers: { authorization: auth, 'content-length': String(body.length) },
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => upload.on('response', resolve).on('error', reject));
    const from = server.logs().length;
    upload.write(body.subarray(0, 256 * 1024));
    await until(
      () =>
        server
          .logs()
          .slice(from)
          .some((line) => line.msg === 'incoming request' && (line.req as { method: string }).method === 'PUT'),
      'the upload to reach a worker',
    );

    server.child.kill('SIGTERM');
    await until(
      () => server.logs().filter((line) => line.msg === 'shutting down: finishing requests in flight' && line.worker).length === 2,
      'both workers to start draining',
    );
    // No new connections once every worker has stopped listening.
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
          socket.on('connect', () => (socket.destroy(), resolve(false)));
          socket.on('error', () => resolve(true));
        }),
      'the listening socket to close',
    );
    upload.write(body.subarray(256 * 1024, 512 * 1024));
    upload.end(body.subarray(512 * 1024));
    const response = await answered;
    response.resume();
    expect(response.statusCode).toBe(201);
    expect(response.headers.connection).toBe('close');
    expect(await server.exited).toEqual({ code: 0, signal: null });

    // The upload is whole: a fresh single-process server returns every byte.
    const again = await serveCumulus(dir.path, { workers: 1 });
    try {
      const read = await fetch(`${again.url}/dav/drained.bin`, { headers: { authorization: auth } });
      expect(read.status).toBe(200);
      expect(Buffer.from(await read.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      expect((await again.stop()).code).toBe(0);
    }
  }, 240_000);
});
