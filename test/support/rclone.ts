import { execFile } from 'node:child_process';

export interface Remote {
  readonly url: string;
  readonly user: string;
  readonly pass: string;
  readonly vendor: 'owncloud' | 'nextcloud' | 'other';
}

/**
 * Runs Debian's rclone against a remote given entirely through the environment. Always
 * asynchronously: the server under test runs in this same process.
 */
export function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number; stdout: string; stderr: string; output: string }> {
  return new Promise((resolve, reject) => {
    execFile('rclone', args, { env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('rclone is not installed; scripts/test-all.sh installs it'));
        return;
      }
      const status = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ status, stdout, stderr, output: `${stdout}${stderr}` });
    });
  });
}

export async function rclone(remote: Remote, args: string[]) {
  const obscured = await run(['obscure', remote.pass]);
  return run(['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1', ...args], {
    RCLONE_CONFIG_CUMULUS_TYPE: 'webdav',
    RCLONE_CONFIG_CUMULUS_URL: remote.url,
    RCLONE_CONFIG_CUMULUS_VENDOR: remote.vendor,
    RCLONE_CONFIG_CUMULUS_USER: remote.user,
    RCLONE_CONFIG_CUMULUS_PASS: obscured.stdout.trim(),
  });
}
