import type { VfsEvent, VfsEvents } from '../vfs/index.js';
import type { EnqueueOptions, JobQueue } from './queue.js';

/** A job an event calls for. */
export interface JobRequest {
  readonly kind: string;
  readonly payload: unknown;
  /** Requests with one key while a job is queued postpone it (a debounce) rather than queue another. */
  readonly dedupeKey?: string;
  /** Wait this long after the last request with the key (the debounce). */
  readonly delayMs?: number;
  readonly priority?: number;
  readonly maxAttempts?: number;
}

/**
 * Turns what happened in the tree into jobs (thumbnails of a written photo, an import a
 * while after uploads settle, ...). Pure and quick: it runs after every write's commit.
 */
export interface EventProcessor {
  readonly name: string;
  jobsFor(event: VfsEvent): readonly JobRequest[];
}

/**
 * Feeds the queue from the vfs events of this process: each processor's requests are
 * enqueued, debounced by their key. An event is emitted after its commit, so a job never
 * sees a change that was rolled back; a process that dies between the commit and the
 * enqueue loses the request (processors that cannot afford that also reconcile on a schedule).
 */
export class EventFeed {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly events: VfsEvents,
    private readonly queue: JobQueue,
    private readonly warn: (error: unknown, message: string) => void,
  ) {}

  /** Subscribes a processor; returns the function that unsubscribes it. */
  add(processor: EventProcessor): () => void {
    return this.events.on((event) => {
      for (const request of processor.jobsFor(event)) this.enqueue(processor.name, request);
    });
  }

  /** Resolves once every enqueue started so far has ended (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private enqueue(processor: string, request: JobRequest): void {
    const options: EnqueueOptions = {
      dedupeKey: request.dedupeKey,
      onDuplicate: 'postpone',
      delayMs: request.delayMs,
      priority: request.priority,
      maxAttempts: request.maxAttempts,
    };
    const pending = this.queue
      .enqueue(request.kind, request.payload, options)
      .catch((error: unknown) => this.warn(error, `processor ${processor} could not queue a ${request.kind} job`))
      .finally(() => this.inFlight.delete(pending));
    this.inFlight.add(pending);
  }
}
