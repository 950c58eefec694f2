export { BlobMissingError, type BlobBackend, type ByteRange, type StoredObject } from './backend.js';
export { LocalBackend } from './backends/local/local.backend.js';
export { MemoryBackend } from './backends/memory/memory.backend.js';
export { makeDataDirPrivate, PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from './private-dir.js';
export { ChunkStore, ChunkSizeMismatchError, ChunkMissingError } from './chunks/chunk-store.js';
export type { DirectUpload, PresignGetOptions } from './backend.js';
export { createBackend, type BackendContext } from './backends/create.js';
export * from './policy-settings.js';
export { S3Backend, type S3BackendOptions } from './backends/s3/s3.backend.js';
export type { S3Timeouts } from './backends/s3/s3-client.js';
export { WebDavBackend, type WebDavBackendOptions } from './backends/webdav/webdav.backend.js';
export type { WebDavTimeouts } from './backends/webdav/webdav-transport.js';
export {
  SourceChangedError,
  SourceMissingError,
  SourceRefusedError,
  type MountSource,
  type SourceChild,
  type SourceStat,
  type SourceWriteOptions,
  sourceTag,
} from './mounts/mount-source.js';
export { LocalDirSource, TEMP_NAME } from './mounts/local-dir.js';
export { createPolicySource } from './mounts/create.js';
export { S3PrefixSource } from './mounts/s3-prefix.js';
export { WebDavTreeSource } from './mounts/webdav-tree.js';
export { DavTransport, DEFAULT_WEBDAV_TIMEOUTS, type DavRequest, type DavResponse } from './backends/webdav/webdav-transport.js';
export { parseMultistatus, type DavMember } from './backends/webdav/multistatus.js';
