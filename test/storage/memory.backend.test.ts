import { MemoryBackend } from '../../src/storage/index.js';
import { blobBackendContract } from '../contract/blob-backend.contract.js';

blobBackendContract('memory', async () => ({ backend: new MemoryBackend(), close: async () => undefined }));
