import { MemoryBackend } from '../../src/storage/index.js';
import { blobBackendContract } from '../contract/blob-backend.contract.js';

blobBackendContract('memory', async () => ({ backend: new MemoryBackend(), close: async () => undefined }), {
  skipHugeBody: 'the memory backend holds every byte in memory by design',
});
