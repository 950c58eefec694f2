export { Vfs, MAX_PAGE_SIZE, type VfsDependencies, type ListOptions, type ListPage, type WriteOptions, type TransferOptions } from './vfs.js';
export { BlobStore, storageKeyOf, type StoredBlob, type BlobStoreOptions } from './blob-store.js';
export { VfsEvents, type VfsEvent, type VfsListener } from './events.js';
