import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { tempDir } from './databases.js';

/** A real S3-compatible server (s3rver) on a loopback port with one empty bucket. */
export interface S3Server {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'cumulus'): Promise<S3Server> {
  const dir = tempDir('cumulus-s3rver-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async close() {
      await server.close();
      dir.remove();
    },
  };
}
