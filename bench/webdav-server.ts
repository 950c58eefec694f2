/**
 * The Cumulus side of bench/webdav.bench.ts, run in a child process so that the server's
 * CPU and memory are its own: the client's event loop does not compete with the server's,
 * and /proc/PID/status of this process is the server's RSS alone.
 *
 *   node --import tsx bench/webdav-server.ts '{"kind":"sqlite","label":"SQLite"}'
 *
 * (webdav.bench.ts normally runs a plain-JavaScript copy of it and of src/, transpiled into a
 * temporary directory, so that the server's memory is what `node dist/...` would use, without
 * the tsx loader's.)
 *
 * Starts a real App (logging silent, so no per-request log line distorts the figures) on a
 * fresh database and data directory, with one user and one WebDAV account, serves it on a
 * loopback port, and prints one JSON line on stdout: { origin, url, email, password, dataDir,
 * pid }. Exits on SIGTERM or SIGINT, or when stdin closes (the parent went away), after
 * removing its data directory.
 *
 * Over the IPC channel (when started with fork()) it answers { type: 'memory' } with
 * process.memoryUsage() (after a full GC when asked and started with --expose-gc), and { type: 'profile-start' } and
 * { type: 'profile-stop', file } by starting and stopping the V8 CPU profiler and writing the
 * profile to `file` (a .cpuprofile for Chrome DevTools or speedscope).
 */
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { buildHttpServer } from '../src/http/index.js';
import { openBenchApp, type DatabaseTarget } from './lib.js';

const target = JSON.parse(process.argv[2] ?? '{"kind":"sqlite","label":"SQLite"}') as DatabaseTarget;

const bench = await openBenchApp(target);
const { password } = await bench.app.davAccounts.create({ userId: bench.user.id, name: 'webdav bench' });
const server = await buildHttpServer(bench.app);
await server.listen({ host: '127.0.0.1', port: 0 });
const origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

let closing: Promise<void> | undefined;
function shutdown(): Promise<void> {
  closing ??= (async () => {
    try {
      await server.close();
      await bench.close();
    } catch (error) {
      process.stderr.write(`[webdav-server] shutdown failed: ${(error as Error).message}\n`);
    }
    process.exit(0);
  })();
  return closing;
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.on('error', () => void shutdown());
process.stdin.resume();

// --- CPU profiling on request ----------------------------------------------------------
type Command =
  { type: 'profile-start'; intervalMicros?: number } | { type: 'profile-stop'; file: string } | { type: 'memory'; gc?: boolean };
let session: import('node:inspector/promises').Session | undefined;
process.on('message', (message: Command) => {
  void (async () => {
    try {
      if (message.type === 'memory') {
        // With --expose-gc: a full collection first, so the figure is what is live.
        if (message.gc) (globalThis as { gc?: () => void }).gc?.();
        process.send?.({ type: 'memory', usage: process.memoryUsage() });
      } else if (message.type === 'profile-start') {
        const { Session } = await import('node:inspector/promises');
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: message.intervalMicros ?? 200 });
        await session.post('Profiler.start');
        process.send?.({ type: 'profile-started' });
      } else if (message.type === 'profile-stop') {
        if (!session) throw new Error('The profiler was not started');
        const { profile } = await session.post('Profiler.stop');
        await session.post('Profiler.disable');
        session.disconnect();
        session = undefined;
        await writeFile(message.file, JSON.stringify(profile));
        process.send?.({ type: 'profile-stopped', file: message.file });
      }
    } catch (error) {
      process.send?.({ type: 'error', message: (error as Error).message });
    }
  })();
});

process.stdout.write(
  `${JSON.stringify({ origin, url: `${origin}/dav/`, email: bench.user.email, password, dataDir: bench.dataDir, pid: process.pid })}\n`,
);
