export {
  Vfs,
  MAX_PAGE_SIZE,
  type VfsDependencies,
  type ListOptions,
  type ListPage,
  type WriteOptions,
  type TransferOptions,
  type LockedWrite,
} from './vfs.js';
export { History, type FileVersion, type TrashedEntry } from './history.js';
export { SAFE_SAVE_WINDOW_MS } from './history-rows.js';
export { LockManager, type LockLimits, type LockRequest } from './lock-manager.js';
export { holdsLock } from './locks.js';
export { Lookups, type LookupDependencies, type LockConflict, type SearchConditions, type SearchPage } from './lookups.js';
export { Properties, MAX_PROPERTY_VALUE, type PropertyChange, type PropertyLimits } from './properties.js';
export { Resolver } from './resolver.js';
export {
  BlobStore,
  FixedBackends,
  storageKeyOf,
  type StoredBlob,
  type DirectBlob,
  type BlobStoreOptions,
  type BackendSource,
} from './blob-store.js';
export { VfsEvents, type VfsEvent, type VfsListener } from './events.js';
/** Records the vfs hands out, so protocol layers need not import db/. */
export type { DeadProperty, LockRecord, TrashRecord } from '../db/index.js';
