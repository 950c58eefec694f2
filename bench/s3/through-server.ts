/**
 * The rows of the s3 bench measured through a running Cumulus: `npm start`'s command line on a
 * fresh SQLite data directory (bench/webdav/servers/cumulus.ts), a 1 GiB PUT and GET over WebDAV
 * into three folders of one user:
 *
 *  - /local on the built-in local policy;
 *  - /proxy bound to an S3 policy on the bench's s3rver with `download: proxy` (bytes stream
 *    through Cumulus both ways);
 *  - /redirect bound to an S3 policy with `download: redirect`; its GET is made with a second
 *    WebDAV account created with `--redirect-downloads`, which answers 302 to a presigned
 *    s3rver URL that the client then follows (the time counts both requests).
 *
 * Each transfer samples the server's process tree (primary and workers: VmRSS summed) for its peak.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { S3Server } from '../../test/support/s3-server.js';
import { progress, type DatabaseTarget } from '../lib.js';
import { basic, call, expectStatus, mkcol, type DavServer } from '../webdav/client.js';
import { processTree, treeMemory, withMemorySampling, type TreeMemory } from '../webdav/procs.js';
import { ensureBuilt, startCumulus } from '../webdav/servers/cumulus.js';
import { getBig, putBig } from '../webdav/workloads.js';

export interface ServerTransfer {
  readonly label: string;
  readonly kind: 'PUT' | 'GET';
  readonly ms: number;
  /** Peak of the server's process tree during the transfer. */
  readonly peak: TreeMemory;
}

export interface ServerRun {
  readonly transfers: readonly ServerTransfer[];
  readonly atReady: TreeMemory;
  readonly startedAs: string;
}

/** GET of an absolute URL, drained; the number of body bytes. */
function drainUrl(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.once('error', reject);
        response.once('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      })
      .once('error', reject);
  });
}

/** GET that must answer 302 to the store, then the presigned URL followed to the end. */
async function getRedirected(server: DavServer, relative: string, size: number, storeEndpoint: string): Promise<number> {
  const started = performance.now();
  const reply = await call(server, 'GET', relative);
  expectStatus(server, reply, [302], `GET ${relative} (redirect account)`);
  const location = String(reply.headers.location ?? '');
  if (!location.startsWith(storeEndpoint)) throw new Error(`GET ${relative} redirected to ${location}, not to the store ${storeEndpoint}`);
  const followed = await drainUrl(location);
  const took = performance.now() - started;
  if (followed.status !== 200 || followed.bytes !== size) {
    throw new Error(`the presigned URL answered ${followed.status} with ${followed.bytes} bytes, expected 200 with ${size}`);
  }
  return took;
}

function policyArgs(name: string, s3: S3Server, prefix: string, download: 'proxy' | 'redirect'): string[] {
  const settings = s3.settings(prefix);
  return [
    'policy',
    'add',
    name,
    '--type',
    's3',
    '--endpoint',
    settings.endpoint,
    '--bucket',
    settings.bucket,
    '--region',
    settings.region,
    '--access-key',
    settings.accessKeyId,
    '--secret-key',
    settings.secretAccessKey,
    '--prefix',
    prefix,
    '--path-style',
    '--download',
    download,
  ];
}

export async function throughServer(s3: S3Server, size: number, target: DatabaseTarget): Promise<ServerRun> {
  ensureBuilt();
  progress('starting Cumulus (npm start, --workers auto) with a local and two S3 policies');
  const server = await startCumulus({
    target,
    workers: 'auto',
    extraNodeFlags: [],
    setup: (cli) => {
      cli(...policyArgs('s3-proxy', s3, 'server-proxy/', 'proxy'));
      cli(...policyArgs('s3-redirect', s3, 'server-redirect/', 'redirect'));
      cli('group', 'set', 'User', '--policies', 'Default local storage,s3-proxy,s3-redirect');
    },
  });
  try {
    const atReady = treeMemory(processTree(server.pid));
    for (const folder of ['local', 'proxy', 'redirect']) await mkcol(server, folder);
    server.cli('folder', 'bind', '--user', server.email, '--path', '/proxy', '--policy', 's3-proxy');
    server.cli('folder', 'bind', '--user', server.email, '--path', '/redirect', '--policy', 's3-redirect');
    const account = JSON.parse(
      server.cli('dav-account', 'create', '--user', server.email, '--name', 'redirected', '--redirect-downloads'),
    ) as { password: string };
    const redirecting: DavServer = { ...server, authorization: basic(server.email, account.password) };

    const transfers: ServerTransfer[] = [];
    const measure = async (label: string, kind: 'PUT' | 'GET', work: () => Promise<number>) => {
      progress(`${kind} through Cumulus: ${label}`);
      const { result, peak } = await withMemorySampling(server.pid, work);
      transfers.push({ label, kind, ms: result, peak });
    };
    // Warm-up: the first transfer of each kind pays for the workers' heaps and s3rver's first growth.
    progress('warm-up: 64 MiB PUT and GET into /proxy');
    await putBig(server, 'proxy/warm.bin', 64 * 1024 * 1024);
    await getBig(server, 'proxy/warm.bin', 64 * 1024 * 1024);
    for (const folder of ['local', 'proxy', 'redirect']) {
      await measure(`/${folder}`, 'PUT', () => putBig(server, `${folder}/big.bin`, size));
    }
    await measure('/local', 'GET', () => getBig(server, 'local/big.bin', size));
    await measure('/proxy', 'GET', () => getBig(server, 'proxy/big.bin', size));
    await measure('/redirect', 'GET', () => getRedirected(redirecting, 'redirect/big.bin', size, s3.endpoint));
    return { transfers, atReady, startedAs: server.startedAs };
  } finally {
    await server.stop();
  }
}
