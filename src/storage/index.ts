export { BlobMissingError, type BlobBackend, type ByteRange, type StoredObject } from './backend.js';
export { LocalBackend } from './backends/local/local.backend.js';
export { MemoryBackend } from './backends/memory/memory.backend.js';
export { ChunkStore, ChunkSizeMismatchError, ChunkMissingError } from './chunks/chunk-store.js';
