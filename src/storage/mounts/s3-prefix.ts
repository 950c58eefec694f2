import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform } from 'node:stream';
import type { ByteRange } from '../backend.js';
import type { S3PolicySettings } from '../policy-settings.js';
import { createS3Client, normalisePrefix, s3StoreLabel } from '../backends/s3/s3-client.js';
import { httpStatusOf, isMissing, translateS3Error } from '../backends/s3/s3-errors.js';
import { withTranslatedErrors } from '../backends/translated-body.js';
import {
  SourceChangedError,
  SourceMissingError,
  SourceRefusedError,
  type MountSource,
  type SourceChild,
  type SourceStat,
  type SourceWriteOptions,
} from './mount-source.js';
import { REMOTE_RESCAN_MS, assertPlainNames, folderStat, identityOf, remoteFileStat } from './remote-stat.js';

/**
 * An S3 prefix as a mount source (issue 11 item 6): the bucket is the truth, keys below
 * `policy prefix + mount prefix` are its files, and folders are implied by keys. An empty
 * folder is kept visible by a `dir/` marker object, as rclone and the S3 console make them.
 * Writes stream through lib-storage's Upload (one PutObject, or a multipart upload that S3
 * publishes only on completion), so a reader sees the old object or the new, never a part.
 * S3 has no rename: a rename copies every object and then deletes the originals, which is not
 * atomic (a failure part-way leaves some objects at both names; nothing is lost). S3 has no
 * settable modification time either: the store's LastModified is the file's time, and setMtime
 * changes nothing. ETags are the store's.
 */
export class S3PrefixSource implements MountSource {
  readonly rescanAfterMs = REMOTE_RESCAN_MS;
  private readonly client: S3Client;
  private readonly base: string;
  private readonly bucket: string;
  private readonly label: string;

  constructor(
    private readonly settings: S3PolicySettings,
    mountPrefix: string,
  ) {
    this.client = createS3Client(settings);
    this.base = normalisePrefix(settings.prefix) + normalisePrefix(mountPrefix);
    this.bucket = settings.bucket;
    this.label = s3StoreLabel(settings);
  }

  async stat(names: readonly string[]): Promise<SourceStat | null> {
    if (names.length === 0) return folderStat();
    const key = this.key(names);
    const head = await this.head(key);
    if (head) return head;
    return (await this.isFolder(key)) ? folderStat() : null;
  }

  async list(names: readonly string[]): Promise<{ self: SourceStat; children: SourceChild[] }> {
    const prefix = this.folderKey(names);
    const children: SourceChild[] = [];
    let seen = names.length === 0; // the top exists even while the prefix holds nothing
    try {
      const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix, Delimiter: '/' });
      for await (const page of pages) {
        for (const common of page.CommonPrefixes ?? []) {
          seen = true;
          const name = common.Prefix!.slice(prefix.length, -1);
          if (name !== '') children.push({ name, stat: folderStat() });
        }
        for (const object of page.Contents ?? []) {
          seen = true;
          const name = object.Key!.slice(prefix.length);
          if (name === '' || name.includes('/')) continue; // the folder's own marker
          children.push({ name, stat: remoteFileStat(object.Size ?? 0, object.LastModified, object.ETag) });
        }
      }
    } catch (error) {
      throw translateS3Error(error, this.label, `listing ${prefix}`);
    }
    if (!seen) throw new SourceMissingError(`No folder ${prefix} in the ${this.label}`);
    return { self: folderStat(), children };
  }

  async read(names: readonly string[], range?: ByteRange, expect?: string): Promise<Readable> {
    const key = this.key(names);
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
          ...(expect !== undefined && { IfMatch: `"${identityOf(expect)}"` }),
        }),
      );
      if (!(answer.Body instanceof Readable)) return Readable.from([]);
      // Stores that ignore If-Match (s3rver) still name the version they answered with.
      if (expect !== undefined && answer.ETag !== undefined && answer.ETag.replace(/"/g, '') !== identityOf(expect)) {
        answer.Body.destroy();
        throw new SourceChangedError('The object changed in the bucket');
      }
      return withTranslatedErrors(answer.Body, (failure) => translateS3Error(failure, this.label, `reading ${key}`));
    } catch (error) {
      if (error instanceof SourceChangedError) throw error;
      if (httpStatusOf(error) === 412) throw new SourceChangedError('The object changed in the bucket');
      if (isMissing(error)) throw new SourceMissingError(`No object ${key}`);
      throw translateS3Error(error, this.label, `reading ${key}`);
    }
  }

  async write(names: readonly string[], body: Readable, options: SourceWriteOptions = {}): Promise<SourceStat> {
    const key = this.key(names);
    if (await this.isFolder(key)) throw new SourceRefusedError('A folder has this name');
    // The check runs when the body has ended, before its last part is sent: a throw fails the upload.
    const checked = new Transform({
      transform: (chunk, _encoding, done) => done(null, chunk),
      flush: (done) => {
        try {
          options.beforeCommit?.();
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    });
    body.once('error', (error) => checked.destroy(error));
    body.pipe(checked);
    let failure: unknown;
    checked.once('error', (error) => (failure ??= error));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: checked },
      partSize: this.settings.partSizeBytes,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const onAbort = () => void upload.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw failure ?? translateS3Error(error, this.label, `storing ${key}`);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    const stat = await this.head(key);
    if (!stat) throw new SourceChangedError('The object was removed as soon as it was written');
    return stat;
  }

  async mkdir(names: readonly string[]): Promise<SourceStat> {
    const key = this.key(names);
    if ((await this.head(key)) || (await this.isFolder(key))) throw Object.assign(new Error('Exists'), { code: 'EEXIST' });
    await this.send(`making folder ${key}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${key}/`, Body: '' })),
    );
    return folderStat();
  }

  async remove(names: readonly string[]): Promise<void> {
    const key = this.key(names);
    if (await this.head(key)) return this.deleteKey(key);
    for (const object of await this.objectsBelow(`${key}/`)) await this.deleteKey(object);
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<SourceStat> {
    const source = this.key(from);
    const target = this.key(to);
    if (await this.head(source)) {
      await this.copyKey(source, target);
      await this.deleteKey(source);
      return (await this.head(target)) ?? folderStat();
    }
    const objects = await this.objectsBelow(`${source}/`);
    if (objects.length === 0) throw new SourceMissingError(`No object or folder ${source}`);
    // Copies first, then deletes: a failure part-way leaves both names, never neither.
    for (const object of objects) await this.copyKey(object, target + object.slice(source.length));
    for (const object of objects) await this.deleteKey(object);
    return folderStat();
  }

  async setMtime(names: readonly string[]): Promise<SourceStat> {
    const stat = await this.stat(names);
    if (!stat) throw new SourceMissingError('No such object');
    return stat;
  }

  close(): void {
    this.client.destroy();
  }

  private key(names: readonly string[]): string {
    assertPlainNames(names);
    return this.base + names.join('/');
  }

  private folderKey(names: readonly string[]): string {
    return names.length === 0 ? this.base : `${this.key(names)}/`;
  }

  private async head(key: string): Promise<SourceStat | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return remoteFileStat(head.ContentLength ?? 0, head.LastModified, head.ETag);
    } catch (error) {
      if (isMissing(error)) return null;
      throw translateS3Error(error, this.label, `looking up ${key}`);
    }
  }

  private async isFolder(key: string): Promise<boolean> {
    const page = await this.send(`looking up ${key}`, () =>
      this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${key}/`, Delimiter: '/' })),
    );
    return holdsAny(page);
  }

  private async objectsBelow(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) keys.push(object.Key!);
      }
    } catch (error) {
      throw translateS3Error(error, this.label, `listing ${prefix}`);
    }
    return keys;
  }

  private async copyKey(from: string, to: string): Promise<void> {
    const source = `${this.bucket}/${from}`.split('/').map(encodeURIComponent).join('/');
    await this.send(`copying ${from}`, () => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source })));
  }

  private async deleteKey(key: string): Promise<void> {
    await this.send(`deleting ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** Runs one request, with its failure as a domain error naming the store. */
  private async send<T>(doing: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw translateS3Error(error, this.label, doing);
    }
  }
}

function holdsAny(page: ListObjectsV2CommandOutput): boolean {
  return (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0) > 0;
}
