import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config/index.js';
import { parsePath } from '../../src/core/index.js';
import { cumulus, spawnCumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { rcloneCheck, startRcloneServe, writeTree } from '../support/sync-fixtures.js';

/** A proxy in front of the remote that answers 500 to every request while `failing` is set. */
async function failingProxy(target: string): Promise<{ url: string; failing: boolean; failed: number; server: Server }> {
  const state = { url: '', failing: false, failed: 0, server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    if (state.failing) {
      state.failed++;
      req.resume();
      res.writeHead(500).end('broken for a while');
      return;
    }
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/`;
  return state;
}

describe('sync runs that fail', () => {
  let remote: Awaited<ReturnType<typeof startRcloneServe>>;
  beforeAll(async () => {
    remote = await startRcloneServe(['--bwlimit', '8M']);
  });
  afterAll(async () => {
    await remote?.close();
  });

  it('a run killed with SIGKILL mid-transfer resumes to the same end state, without duplicates', async () => {
    const root = path.join(remote.dir, 'big');
    mkdirSync(root);
    const sums = new Map<string, string>();
    for (let i = 0; i < 24; i++) {
      const body = Buffer.alloc(1 << 20, i);
      writeFileSync(path.join(root, `part ${i} #é.bin`), body);
      sums.set(`part ${i} #é.bin`, createHash('sha256').update(body).digest('hex'));
    }
    const data = tempDir();
    writeFileSync(path.join(data.path, 'config.json'), JSON.stringify({ jobs: { leaseSeconds: 5 }, sync: { retryBaseMs: 50 } }));
    const email = 'sync@example.org';
    expect(cumulus(['--data', data.path, 'user', 'add', '--email', email, '--password', 'a long password 1']).status).toBe(0);
    const added = cumulus([
      '--data',
      data.path,
      '--json',
      'sync',
      'add',
      '--user',
      email,
      '--url',
      remote.url,
      '--remote',
      '/big',
      '--local',
      '/Big',
      '--direction',
      'download',
    ]);
    expect(added.status, added.stderr).toBe(0);
    const id = String(added.json<{ id: number }>().id);

    const child = spawnCumulus(['--data', data.path, '--json', 'sync', 'run', id, '--wait']);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const fractions = [...out.matchAll(/"fraction":([0-9.]+)/g)].map((m) => Number(m[1]));
        if (fractions.some((f) => f >= 0.2 && f < 0.9)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`the run ended before it could be killed:\n${out}`)));
    });
    await new Promise((resolve) => child.once('exit', resolve));

    const resumed = cumulus(['--data', data.path, '--json', 'sync', 'run', id, '--wait'], {});
    expect(resumed.status, resumed.stderr).toBe(0);
    const config = configSchema.parse({ dataDir: data.path, logLevel: 'silent' });
    const app = await createApp(config, { logger: pino({ level: 'silent' }) });
    try {
      const principal = await app.users.principalFor(await app.users.get(email));
      const entries = (await app.vfs.list(principal, parsePath('/Big'))).entries;
      expect(entries.map((e) => e.name).sort()).toEqual([...sums.keys()].map((n) => n.normalize('NFC')).sort());
      for (const entry of entries) expect(entry.sha256).toBe(sums.get(entry.name));
      expect((await app.sync.run(Number(id), { dryRun: true })).plan.actions).toEqual([]);
    } finally {
      await app.close();
      data.remove();
    }
  });

  describe('a remote that answers 500s for a while', () => {
    let dav: DavServer;
    let proxy: Awaited<ReturnType<typeof failingProxy>>;
    beforeAll(async () => {
      dav = await startDavServer('sqlite', { config: { sync: { retryBaseMs: 10, fileAttempts: 3 } } });
      proxy = await failingProxy(remote.url);
    });
    afterAll(async () => {
      proxy?.server.close();
      await dav?.close();
    });

    it('is shown on the pair and retried, never switched off, and recovers', async () => {
      const root = path.join(remote.dir, 'flaky');
      writeTree(root, 40);
      const app = dav.t.app;
      const user = await app.users.get(dav.email);
      const pair = await app.sync.add(user.id, {
        url: proxy.url,
        remotePath: '/flaky',
        localPath: '/Flaky',
        direction: 'download',
        anyAddress: true,
      });
      proxy.failing = true;
      await expect(app.sync.run(pair.id)).rejects.toThrow(/HTTP 500/);
      const failed = await app.sync.get(pair.id);
      expect(failed.lastStatus).toBe('error');
      expect(failed.lastError).toMatch(/HTTP 500/);
      expect(failed.paused).toBe(false);
      // Files failing halfway through a run: retried per file, reported, the others done.
      let served = 0;
      proxy.failing = false;
      const original = proxy.server.listeners('request')[0] as (...args: unknown[]) => void;
      proxy.server.removeAllListeners('request');
      proxy.server.on('request', (req, res) => {
        served++;
        proxy.failing = served % 4 === 0;
        original(req, res);
      });
      const flaky = await app.sync.run(pair.id);
      expect(proxy.failed).toBeGreaterThan(1);
      proxy.server.removeAllListeners('request');
      proxy.failing = false;
      proxy.server.on('request', original);
      const healed = await app.sync.run(pair.id);
      expect((flaky.summary?.done.download ?? 0) + (healed.summary?.done.download ?? 0)).toBe(40);
      expect((await app.sync.get(pair.id)).lastStatus).toBe('ok');
      expect((await rcloneCheck(root, dav, 'Flaky')).status).toBe(0);
    });
  });
});
