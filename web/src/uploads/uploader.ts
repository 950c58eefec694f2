import { ApiError, CODES, NETWORK_FAILURE, messageOf } from '../api/client';
import { createEmptyFile } from '../api/files';
import { call } from '../api/session';
import { cancelUploadSession, createUploadSession, uploadChunk, uploadProgress } from '../api/uploads';
import type { UploadSession } from '../api/types';
import { myUri, type Segments } from '../api/uri';
import { splitExtension } from '../ui/format';
import { isDirect, sendDirect, wait } from './direct';

/**
 * Uploads through upload sessions (contract 15): a session per file, then its chunks in
 * order. A chunk that fails on the wire is retried a few times, then the file waits for the
 * user's Retry, which goes on from the chunk that failed (the server accepts a chunk again).
 * Pause aborts the chunk in flight and resumes from it; cancel removes the placeholder.
 */
export type UploadStatus = 'queued' | 'preparing' | 'uploading' | 'paused' | 'done' | 'error' | 'cancelled' | 'skipped';

export interface UploadTask {
  readonly id: number;
  readonly batch: number;
  readonly file: File;
  /** Where the file goes: the folder picked plus the file's folders inside a dropped folder. */
  readonly folder: Segments;
  name: string;
  status: UploadStatus;
  loaded: number;
  readonly total: number;
  /** Bytes per second, smoothed. */
  speed: number;
  error?: string;
  session?: UploadSession;
  nextChunk: number;
  /** Chunks the server already has (after a resume), not sent again. */
  received?: ReadonlySet<number>;
  overwrite: boolean;
  /** Chunks through this server: the store could not be reached from this page. */
  relay?: boolean;
}

export type ConflictChoice = 'overwrite' | 'rename' | 'skip';

export interface ConflictQuestion {
  readonly name: string;
  readonly folder: Segments;
  answer(choice: ConflictChoice, applyToAll: boolean): void;
}

export interface UploadSnapshot {
  readonly tasks: readonly UploadTask[];
  readonly question: ConflictQuestion | null;
  /** Increases whenever a file finishes; `lastFolder` is where. */
  readonly completed: number;
  readonly lastFolder: Segments | null;
}

const CONCURRENCY = 2;
const AUTO_RETRIES = 2;

export class Uploader {
  private tasks: UploadTask[] = [];
  private nextId = 1;
  private nextBatch = 1;
  private controllers = new Map<number, AbortController>();
  private decisions = new Map<number, ConflictChoice>();
  private questions: Array<{ task: UploadTask; resolve: (choice: ConflictChoice) => void }> = [];
  private folders = new Map<string, Promise<unknown>>();
  private listeners = new Set<() => void>();
  private snapshot: UploadSnapshot = { tasks: [], question: null, completed: 0, lastFolder: null };
  private completed = 0;
  private lastFolder: Segments | null = null;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private question: ConflictQuestion | null = null;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): UploadSnapshot => this.snapshot;

  /** Queues files for a folder; a file's own relative path (a dropped folder) adds subfolders. */
  add(files: Array<{ file: File; relativePath?: string }>, folder: Segments): void {
    const batch = this.nextBatch++;
    for (const { file, relativePath } of files) {
      const parts = (relativePath || file.name).split('/').filter((part) => part !== '' && part !== '.');
      const name = parts.pop() ?? file.name;
      this.tasks.push({
        id: this.nextId++,
        batch,
        file,
        folder: [...folder, ...parts],
        name,
        status: 'queued',
        loaded: 0,
        total: file.size,
        speed: 0,
        nextChunk: 0,
        overwrite: false,
      });
    }
    this.changed(true);
    this.pump();
  }

  pause(id: number): void {
    const task = this.find(id);
    if (!task || !['queued', 'preparing', 'uploading'].includes(task.status)) return;
    task.status = 'paused';
    task.speed = 0;
    this.controllers.get(id)?.abort();
    this.changed(true);
  }

  resume(id: number): void {
    const task = this.find(id);
    if (!task || !['paused', 'error'].includes(task.status)) return;
    task.status = 'queued';
    task.error = undefined;
    this.changed(true);
    this.pump();
  }

  cancel(id: number): void {
    const task = this.find(id);
    if (!task || ['done', 'cancelled', 'skipped'].includes(task.status)) return;
    task.status = 'cancelled';
    task.speed = 0;
    this.controllers.get(id)?.abort();
    const session = task.session;
    task.session = undefined;
    if (session) void cancelUploadSession(session.session_id, session.uri).catch(() => undefined);
    this.changed(true);
    this.pump();
  }

  /** Forgets finished, cancelled and skipped files. */
  clearFinished(): void {
    this.tasks = this.tasks.filter((task) => !['done', 'cancelled', 'skipped'].includes(task.status));
    this.changed(true);
  }

  private find(id: number): UploadTask | undefined {
    return this.tasks.find((task) => task.id === id);
  }

  private pump(): void {
    const running = this.tasks.filter((task) => task.status === 'preparing' || task.status === 'uploading').length;
    const waiting = this.tasks.filter((task) => task.status === 'queued').slice(0, Math.max(0, CONCURRENCY - running));
    for (const task of waiting) {
      task.status = 'preparing';
      void this.run(task).finally(() => this.pump());
    }
    if (waiting.length > 0) this.changed(true);
  }

  private async run(task: UploadTask): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(task.id, controller);
    try {
      await this.ensureFolder(task.folder);
      if (task.session && !(await this.sync(task))) return;
      if (!task.session && !(await this.open(task))) return;
      if (controller.signal.aborted) {
        // Cancelled while the session was being opened: remove the placeholder it made.
        if (task.status === 'cancelled' && task.session)
          void cancelUploadSession(task.session.session_id, task.session.uri).catch(() => undefined);
        if (task.status === 'cancelled') task.session = undefined;
        return;
      }
      await this.send(task, controller.signal);
      task.status = 'done';
      task.loaded = task.total;
      task.speed = 0;
      task.session = undefined;
      this.completed++;
      this.lastFolder = task.folder;
    } catch (error) {
      if (controller.signal.aborted) return; // paused or cancelled: already recorded
      task.status = 'error';
      task.speed = 0;
      task.error = messageOf(error);
    } finally {
      this.controllers.delete(task.id);
      this.changed(true);
    }
  }

  /** The folders of a dropped folder, created once per upload run (contract 11 creates missing parents). */
  private ensureFolder(folder: Segments): Promise<unknown> {
    if (folder.length === 0) return Promise.resolve();
    const uri = myUri(folder);
    let created = this.folders.get(uri);
    if (!created) {
      created = call('POST', '/file/create', { json: { uri, type: 'folder' } });
      created.catch(() => this.folders.delete(uri));
      this.folders.set(uri, created);
    }
    return created;
  }

  /**
   * A resumed file asks the server which chunks it already has, and sends only the others.
   * False when there is nothing left to send (the file completed meanwhile).
   */
  private async sync(task: UploadTask): Promise<boolean> {
    const session = task.session!;
    try {
      const progress = await uploadProgress(session.session_id);
      if (progress.completed) {
        task.session = undefined;
        task.status = 'done';
        task.loaded = task.total;
        this.completed++;
        this.lastFolder = task.folder;
        return false;
      }
      const received = new Set(progress.uploaded);
      task.received = received;
      let next = 0;
      while (received.has(next)) next++;
      task.nextChunk = next;
      const chunkSize = session.chunk_size > 0 ? session.chunk_size : task.total;
      task.loaded = Math.min(
        task.total,
        [...received].reduce((sum, index) => sum + Math.min(chunkSize, task.total - index * chunkSize), 0),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code === NETWORK_FAILURE) throw error;
      // The session is gone (expired): start again with a new one. Any other answer (a server
      // without this call): go on from the chunk that failed, which the server accepts again.
      if (error instanceof ApiError && error.code === CODES.uploadSessionExpired) {
        task.session = undefined;
        task.nextChunk = 0;
        task.loaded = 0;
        task.received = undefined;
      }
    }
    return true;
  }

  /** Opens the session, asking once what to do when the name is taken. False when skipped. */
  private async open(task: UploadTask): Promise<boolean> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const uri = myUri([...task.folder, task.name]);
      try {
        if (task.total === 0 && !task.overwrite) {
          await createEmptyFile(uri);
          task.nextChunk = Number.POSITIVE_INFINITY;
          return true;
        }
        task.session = await createUploadSession({
          uri,
          size: task.total,
          lastModified: task.file.lastModified,
          mimeType: task.file.type,
          entityType: task.overwrite ? 'version' : undefined,
          relay: task.relay,
        });
        task.nextChunk = 0;
        return true;
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== CODES.exists || task.overwrite) throw error;
        const choice = await this.decide(task);
        if (choice === 'skip') {
          task.status = 'skipped';
          return false;
        }
        if (choice === 'overwrite') task.overwrite = true;
        else task.name = numbered(task.name, attempt + 1);
      }
    }
    throw new Error('No free name was found for this file');
  }

  private decide(task: UploadTask): Promise<ConflictChoice> {
    const known = this.decisions.get(task.batch);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      this.questions.push({ task, resolve });
      this.ask();
    });
  }

  private ask(): void {
    const head = this.questions[0];
    if (!head || this.question) return;
    const known = this.decisions.get(head.task.batch);
    if (known) {
      this.questions.shift();
      head.resolve(known);
      this.ask();
      return;
    }
    this.question = {
      name: head.task.name,
      folder: head.task.folder,
      answer: (choice, applyToAll) => {
        if (applyToAll) this.decisions.set(head.task.batch, choice);
        this.questions.shift();
        this.question = null;
        this.changed(true);
        head.resolve(choice);
        this.ask();
      },
    };
    this.changed(true);
  }

  private async send(task: UploadTask, signal: AbortSignal): Promise<void> {
    const session = task.session;
    if (!session) return;
    const chunkSize = session.chunk_size > 0 ? session.chunk_size : Math.max(task.total, 1);
    const count = Math.max(1, Math.ceil(task.total / chunkSize));
    task.status = 'uploading';
    this.changed(true);
    if (isDirect(session)) {
      // Straight to the store (contract 15.5); a resumed file sends its parts again.
      const progress = (loaded: number) => ((task.loaded = loaded), this.changed(false));
      return sendDirect(task.file, session, progress, signal).catch(async (error: unknown) => {
        if (signal.aborted || !(error instanceof ApiError && error.code === NETWORK_FAILURE)) throw error;
        // The store refuses this page (CORS) or cannot be reached: Retry goes through the server.
        await cancelUploadSession(session.session_id, session.uri).catch(() => undefined);
        Object.assign(task, { session: undefined, relay: true, loaded: 0, nextChunk: 0 });
        throw new ApiError(NETWORK_FAILURE, `${messageOf(error)} Retry sends the file through the server instead.`);
      });
    }
    let last = { time: performance.now(), loaded: task.loaded };
    while (task.nextChunk < count) {
      const index = task.nextChunk;
      if (task.received?.has(index)) {
        task.nextChunk = index + 1;
        continue;
      }
      const start = index * chunkSize;
      const chunk = task.file.slice(start, Math.min(task.total, start + chunkSize));
      for (let attempt = 0; ; attempt++) {
        try {
          await uploadChunk(
            session.session_id,
            index,
            chunk,
            (loaded) => {
              task.loaded = start + loaded;
              const now = performance.now();
              if (now - last.time >= 500) {
                const rate = ((task.loaded - last.loaded) * 1000) / (now - last.time);
                task.speed = task.speed === 0 ? rate : task.speed * 0.7 + rate * 0.3;
                last = { time: now, loaded: task.loaded };
              }
              this.changed(false);
            },
            signal,
          );
          break;
        } catch (error) {
          if (signal.aborted) throw error;
          if (error instanceof ApiError && error.code === CODES.uploadSessionExpired) {
            // The session is gone (expired while paused): start this file again with a new one.
            task.session = undefined;
            task.loaded = 0;
            task.nextChunk = 0;
            throw new ApiError(error.code, 'The upload session expired. Retry to send this file again from the start.');
          }
          const transient = error instanceof ApiError && (error.code === NETWORK_FAILURE || error.code < 0 || error.code >= 50000);
          if (!transient || attempt >= AUTO_RETRIES) throw error;
          task.error = `${messageOf(error)} Retrying…`;
          this.changed(true);
          await wait(1000 * 2 ** attempt, signal);
          task.error = undefined;
        }
      }
      task.nextChunk = index + 1;
      task.loaded = Math.min(task.total, start + chunk.size);
    }
  }

  private changed(now: boolean): void {
    if (!now) {
      this.pending ??= setTimeout(() => this.changed(true), 150);
      return;
    }
    clearTimeout(this.pending);
    this.pending = undefined;
    this.snapshot = {
      tasks: this.tasks.map((task) => ({ ...task })),
      question: this.question,
      completed: this.completed,
      lastFolder: this.lastFolder,
    };
    for (const listener of this.listeners) listener();
  }
}

/** "a.txt" → "a (1).txt". */
export function numbered(name: string, n: number): string {
  const [stem, extension] = splitExtension(name.replace(/ \(\d+\)(?=\.[^.]*$|$)/, ''));
  return `${stem} (${n})${extension}`;
}
