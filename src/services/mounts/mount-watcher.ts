import { watch } from 'node:fs';
import path from 'node:path';
import type { JobContext, JobQueue, JobRunner } from '../../jobs/index.js';
import type { Vfs } from '../../vfs/index.js';
import { TEMP_NAME } from '../../storage/index.js';
import type { MountService } from './mount.service.js';

export const MOUNT_WATCH_JOB = 'mounts.watch';

export interface MountWatcherOptions {
  /** How long one lease holds the watchers before the schedule hands them on (possibly to another process). */
  readonly windowMs?: number;
  /** Changes are gathered this long before their folders are scanned. */
  readonly settleMs?: number;
  /** How often the opened folders of remote (S3, WebDAV) mounts are read again during a window. */
  readonly remotePollMs?: number;
  readonly warn: (error: unknown, message: string) => void;
}

/**
 * Watches local-directory mounts for changes made outside Cumulus (recursive fs.watch, Linux
 * inotify), and polls remote ones (S3 prefixes, WebDAV trees: every `remotePollMs`, the folders
 * members have opened), on one process at a time: the process holding the lease of the scheduled
 * `mounts.watch` job. Each run watches for a window, then returns; the schedule starts the next
 * run at once, on whichever process claims it, so a crashed holder's lease lapses and another
 * takes over. A change reported at a path scans the deepest mirrored folder of that path
 * (forced: an in-place edit leaves the folder's time alone). Changes in the moment between two
 * windows are not reported by inotify; listings (folder times) and stats (file identity) still
 * find them.
 */
export class MountWatcher {
  constructor(
    private readonly vfs: Vfs,
    private readonly mounts: MountService,
    private readonly options: MountWatcherOptions,
  ) {}

  register(runner: JobRunner): void {
    runner.register(MOUNT_WATCH_JOB, (_job, context) => this.watchWindow(context));
  }

  async schedule(queue: JobQueue): Promise<void> {
    const windowMs = this.options.windowMs ?? 60_000;
    await queue.schedule(MOUNT_WATCH_JOB, `schedule:${MOUNT_WATCH_JOB}`, { everyMs: windowMs, firstRunDelayMs: 0 });
  }

  /** Watches every local-directory mount until the window ends or the signal stops it; resolves with what it scanned. */
  async watchWindow(context: Pick<JobContext, 'signal'>, windowMs = this.options.windowMs ?? 60_000): Promise<{ scans: number }> {
    const mounted = this.vfs.mounted;
    if (!mounted) return { scans: 0 };
    const all = await this.mounts.list();
    const mounts = all.filter((m) => m.source === 'dir' && m.dir);
    const remotes = all.filter((m) => m.source === 'policy');
    const pending = new Map<number, Set<string>>();
    let scans = 0;
    let timer: NodeJS.Timeout | null = null;
    const flush = async () => {
      timer = null;
      for (const mount of mounts) {
        const changed = pending.get(mount.id);
        if (!changed?.size) continue;
        pending.delete(mount.id);
        for (const relative of changed) {
          const names = relative === '' ? [] : relative.split(path.sep);
          await mounted
            .scanChanged(mount, names)
            .catch((error: unknown) => this.options.warn(error, `scan of shared folder ${mount.name} failed`));
          scans++;
        }
      }
    };
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, context.signal]);
    for (const mount of mounts) {
      try {
        watch(mount.dir!, { recursive: true, signal }, (_event, filename) => {
          if (filename === null || TEMP_NAME.test(path.basename(filename))) return;
          let set = pending.get(mount.id);
          if (!set) pending.set(mount.id, (set = new Set()));
          set.add(filename);
          timer ??= setTimeout(() => void flush(), this.options.settleMs ?? 200);
        }).on('error', (error) => this.options.warn(error, `watching shared folder ${mount.name} failed`));
      } catch (error) {
        this.options.warn(error, `cannot watch shared folder ${mount.name}`);
      }
    }
    let polling = Promise.resolve();
    const poll = () => {
      polling = polling.then(async () => {
        for (const mount of remotes) {
          scans += await mounted
            .pollRemote(mount)
            .catch((error: unknown) => (this.options.warn(error, `polling shared folder ${mount.name} failed`), 0));
        }
      });
    };
    if (remotes.length > 0) poll();
    const poller = remotes.length > 0 ? setInterval(poll, this.options.remotePollMs ?? 30_000) : null;
    await new Promise<void>((resolve) => {
      const end = setTimeout(resolve, windowMs);
      signal.addEventListener('abort', () => {
        clearTimeout(end);
        resolve();
      });
    });
    if (poller) clearInterval(poller);
    await polling;
    stop.abort();
    if (timer) clearTimeout(timer);
    await flush();
    return { scans };
  }
}
