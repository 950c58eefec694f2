import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface SyncAccount {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly email: string;
  /** A WebDAV account's password. */
  readonly password: string;
}

export interface SyncRun {
  readonly child: ChildProcess;
  readonly finished: Promise<{ code: number | null; output: string }>;
}

/** Starts Debian's `nextcloudcmd` syncing `localDir` with the server, as a user would run it. */
export function startSync(account: SyncAccount, localDir: string, extra: readonly string[] = []): SyncRun {
  const args = ['--non-interactive', '-u', account.email, '-p', account.password, ...extra, localDir, account.url];
  const child = spawn('nextcloudcmd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const finished = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
  return { child, finished };
}

export async function sync(account: SyncAccount, localDir: string, extra: readonly string[] = []) {
  return startSync(account, localDir, extra).finished;
}

/** The client's own files in a synced folder (journal, logs), which never go to the server. */
export function isClientFile(name: string): boolean {
  return /^\.sync_[0-9a-f]+\.db/.test(name) || /^\._sync_/.test(name) || /^\.(owncloud|nextcloud)sync\.log$/.test(name);
}

/** Every file of a local tree (relative path, NFC) with its SHA-1; folders as entries of their own. */
export function localTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      if (prefix === '' && isClientFile(name)) continue;
      const full = path.join(dir, name);
      const relative = `${prefix}${name.normalize('NFC')}`;
      if (statSync(full).isDirectory()) {
        out.set(`${relative}/`, 'folder');
        walk(full, `${relative}/`);
      } else {
        out.set(relative, createHash('sha1').update(readFileSync(full)).digest('hex'));
      }
    }
  };
  walk(root, '');
  return out;
}

/**
 * The server's tree as the client sees it, walked with PROPFIND Depth 1 below
 * /remote.php/dav/files/<user>/: files with the SHA-1 the server computed from the stored bytes.
 */
export async function serverTree(account: SyncAccount): Promise<Map<string, string>> {
  const base = `/remote.php/dav/files/${encodeURIComponent(account.email)}/`;
  const auth = `Basic ${Buffer.from(`${account.email}:${account.password}`).toString('base64')}`;
  const body =
    '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>' +
    '<d:resourcetype/><oc:checksums/></d:prop></d:propfind>';
  const out = new Map<string, string>();
  const pending = [''];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const href = base + folder.split('/').map(encodeURIComponent).join('/');
    const response = await fetch(`${account.url}${href}`, { method: 'PROPFIND', headers: { Depth: '1', Authorization: auth }, body });
    if (response.status !== 207) throw new Error(`PROPFIND ${href} answered ${response.status}`);
    for (const match of (await response.text()).matchAll(/<D:response>(.*?)<\/D:response>/gs)) {
      const item = match[1]!;
      const href = /<D:href>([^<]+)<\/D:href>/.exec(item)![1]!.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
      const name = decodeURIComponent(href).slice(decodeURIComponent(base).length);
      if (name === folder) continue;
      if (item.includes('<D:collection/>')) {
        out.set(name, 'folder');
        pending.push(name);
      } else {
        out.set(name, /SHA1:([0-9a-f]{40})/.exec(item)?.[1] ?? 'no checksum');
      }
    }
  }
  return out;
}

/** The requests the server logged (pino's "incoming request" at info), as "METHOD url". */
export function loggedRequests(logs: ReadonlyArray<Record<string, unknown>>): string[] {
  return logs
    .filter((line) => line.msg === 'incoming request')
    .map((line) => {
      const req = line.req as { method: string; url: string };
      return `${req.method} ${decodeURIComponent(req.url)}`;
    });
}

/** Requests that move bytes or change the tree (what a sync with nothing to do must not send). */
export function transfers(requests: readonly string[]): string[] {
  return requests.filter((request) => /^(PUT|GET|MOVE|COPY|DELETE|MKCOL|PROPPATCH) \/(remote\.php|dav)\//.test(request));
}

/** Chunk PUTs the server answered 201 (stored), as "PUT url". */
export function storedChunks(logs: ReadonlyArray<Record<string, unknown>>): string[] {
  const created = new Set(
    logs
      .filter((line) => line.msg === 'request completed' && (line.res as { statusCode: number }).statusCode === 201)
      .map((line) => line.reqId),
  );
  return logs
    .filter((line) => line.msg === 'incoming request' && created.has(line.reqId))
    .map((line) => line.req as { method: string; url: string })
    .filter((req) => req.method === 'PUT' && req.url.startsWith('/remote.php/dav/uploads/'))
    .map((req) => `PUT ${decodeURIComponent(req.url)}`);
}
