import { spawn } from 'node:child_process';

/** A server in a child process; `stop` sends the signal and waits for the exit. */
export interface ChildServer {
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Spawns `command` and resolves once `readyUrl` answers any HTTP status (60 s budget, or the child's exit, fails it). */
export async function spawnServer(
  command: string,
  args: readonly string[],
  readyUrl: string,
  init: RequestInit = {},
): Promise<ChildServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (!(await fetch(readyUrl, init).catch(() => undefined))) {
    if (gone || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    async stop(signal) {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}
