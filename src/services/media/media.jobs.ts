import { PermanentJobError, type EventProcessor, type JobRequest, type JobRunner } from '../../jobs/index.js';
import type { VfsEvent } from '../../vfs/index.js';
import { formatOf } from './media-types.js';
import type { MediaService } from './media.service.js';

export const MEDIA_INDEX_JOB = 'media.index';

interface IndexPayload {
  readonly blobId: string;
  readonly name: string;
}

/**
 * A `media.index` job per new content of a file that may be a photo, a video or a PDF, queued
 * after the write's commit, one per blob (a second write of the same content while one is
 * queued adds nothing).
 */
export class MediaJobs implements EventProcessor {
  readonly name = 'media';

  constructor(private readonly media: MediaService) {}

  jobsFor(event: VfsEvent): readonly JobRequest[] {
    if (event.type !== 'file.written' && event.type !== 'entry.moved') return [];
    const { blobId, name } = event.entry;
    if (blobId === null || formatOf(name) === 'other') return [];
    const payload: IndexPayload = { blobId, name };
    return [{ kind: MEDIA_INDEX_JOB, payload, dedupeKey: `${MEDIA_INDEX_JOB}:${blobId}`, maxAttempts: 3 }];
  }

  register(runner: JobRunner): void {
    runner.register(MEDIA_INDEX_JOB, async (job, context) => {
      const payload = job.payload as Partial<IndexPayload> | null;
      if (typeof payload?.blobId !== 'string' || typeof payload.name !== 'string') {
        throw new PermanentJobError('A media.index job needs {blobId, name}');
      }
      const existing = await this.media.recordOf(payload.blobId);
      if (existing) return { blobId: payload.blobId, thumb: existing.thumbState, already: true };
      await context.progress(null, `indexing ${payload.name}`);
      const record = await this.media.index(payload.blobId, payload.name, context.signal);
      return { blobId: record.blobId, kind: record.kind, thumb: record.thumbState, error: record.thumbError ?? undefined };
    });
  }
}
