/** What starting any of the benchmarked servers needs: a free port, readiness, stopping. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { onCleanup } from '../../lib.js';
import { call, newAgent, type DavServer } from '../client.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Waits for a child to exit; SIGKILL after `ms`. */
export async function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, bytes = 2000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes).trim();
  } catch {
    return '(no log)';
  }
}

/**
 * Polls PROPFIND Depth 0 of the root until it answers 207. `exited` says whether the process
 * has gone away (then waiting is pointless); `log` is read for the error message.
 */
export async function waitUntilReady(server: DavServer, exited: () => boolean, log: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${server.label} exited while starting: ${tail(log)}`);
    try {
      const answer = await call(server, 'PROPFIND', '', { headers: { Depth: '0' } });
      if (answer.status === 207) return;
      last = `answered PROPFIND with ${answer.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.label} did not become ready within ${ms / 1000} s (${last}): ${tail(log)}`);
}

/**
 * Wraps a started server process: its agent, a stop() that ends it (SIGTERM, SIGKILL after
 * `stopMs`) and then runs `cleanup`, a cleanup at exit; resolves once it answers, or stops it
 * and throws.
 */
export async function launched<T extends Omit<DavServer, 'pid' | 'agent' | 'stop'>>(
  child: ChildProcess,
  fields: T,
  options: { readonly log: string; readonly stopMs: number; readonly cleanup: () => Promise<void> | void },
): Promise<T & DavServer> {
  const unregister = onCleanup(() => child.kill('SIGTERM'));
  const agent = newAgent();
  const server = {
    ...fields,
    pid: child.pid!,
    agent,
    async stop() {
      agent.destroy();
      child.kill('SIGTERM');
      await waitForExit(child, options.stopMs);
      await options.cleanup();
      unregister();
    },
  };
  try {
    await waitUntilReady(server, () => child.exitCode !== null, options.log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
