import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { UnavailableError, UpstreamError, isDomainError } from '../../core/index.js';
import type { BlobBackend } from '../backend.js';

/**
 * `cumulus policy test`: writes, reads back and deletes a small probe object, and on failure
 * says which of the three steps failed and why (the store's own error, already free of
 * secrets). The error keeps its type: unreachable stays UnavailableError, a refusal UpstreamError.
 */
export async function probeBackend(backend: Pick<BlobBackend, 'put' | 'get' | 'delete'>, label: string): Promise<void> {
  const key = `cumulus-probe-${randomUUID()}`;
  const bytes = Buffer.from(`Cumulus storage probe ${new Date().toISOString()}\n`);
  await step(label, 'write a probe object', () => backend.put(key, Readable.from([bytes])));
  try {
    const read = await step(label, 'read the probe object back', async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of await backend.get(key)) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    });
    if (!read.equals(bytes)) {
      throw new UpstreamError(
        `Probe of the ${label} failed: the probe object read back ${read.length} bytes that differ from the ${bytes.length} written`,
      );
    }
  } finally {
    await step(label, 'delete the probe object', () => backend.delete(key));
  }
}

async function step<T>(label: string, doing: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const message = `Probe of the ${label} failed: could not ${doing}: ${why}`;
    if (isDomainError(error) && error.code === 'UNAVAILABLE') throw new UnavailableError(message, { cause: error });
    throw new UpstreamError(message, { cause: error });
  }
}
