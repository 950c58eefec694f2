import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { S3PolicySettings } from '../../src/storage/index.js';
import { type ChildServer, spawnServer } from './child-server.js';
import { freePort } from './cli.js';
import { tempDir } from './databases.js';

const S3RVER_BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin/s3rver.js');

export interface S3Server {
  readonly endpoint: string;
  /** Policy settings for the server's bucket (s3rver's fixed credentials), with `prefix`. */
  settings(prefix?: string, extra?: Partial<S3PolicySettings>): S3PolicySettings;
  /** SIGKILL: the store goes away mid-request. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory (after kill). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/**
 * A bucket CORS rule that lets a web page (any origin) PUT parts and POST the completion of a
 * direct upload, and read the ETag of each part (README, S3 policies).
 */
export const DIRECT_UPLOAD_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
  </CORSRule>
</CORSConfiguration>
`;

/**
 * A real s3rver in a child process (so its memory and CPU are not the test's, and a test can
 * kill it mid-write) on a free loopback port, with one bucket in a temporary directory.
 */
export async function startS3Server(bucket = 'cumulus', options: { cors?: string } = {}): Promise<S3Server> {
  const dir = tempDir();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const configs: string[] = [];
  if (options.cors) {
    // Outside s3rver's own directory (-d), which it treats as its store.
    const file = `${dir.path}.cors.xml`;
    writeFileSync(file, options.cors);
    configs.push(file);
  }
  let running = await spawnS3rver(dir.path, port, bucket, configs);
  return {
    endpoint,
    settings: (prefix = '', extra = {}) => ({
      download: 'proxy',
      endpoint,
      bucket,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      prefix,
      forcePathStyle: true,
      partSizeBytes: 5 * 1024 * 1024,
      ...extra,
    }),
    kill: () => running.stop('SIGKILL'),
    restart: async () => {
      running = await spawnS3rver(dir.path, port, bucket, configs);
    },
    close: async () => {
      await running.stop('SIGTERM');
      dir.remove();
      for (const file of configs) rmSync(file, { force: true });
    },
  };
}

function spawnS3rver(directory: string, port: number, bucket: string, configs: readonly string[] = []): Promise<ChildServer> {
  const args = [S3RVER_BIN, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', bucket, ...configs];
  return spawnServer(process.execPath, args, `http://127.0.0.1:${port}/${bucket}`);
}
