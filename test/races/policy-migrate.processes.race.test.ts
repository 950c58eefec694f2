// `cumulus policy migrate` (its own process) racing WebDAV PUTs of the same files on two
// `cumulus serve` processes, on PostgreSQL. The servers learn of the policies the CLI adds
// through the shared counter. After every round: the last PUT's content is what every server
// reads (a migration never brings back an older content), and the tree, the blob reference
// counts and the usage counters are right.
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'vitest';
import { cumulus, spawnCumulus } from '../support/cli.js';
import { contentOf, dav, must, read, succeeded, statuses } from '../support/race-clients.js';
import { RACE_TIMEOUT_MS, runRounds } from '../support/race-rounds.js';
import { INLINE_MAX_BYTES, useTwoServers } from '../support/two-servers.js';

describe('policy migrate racing PUTs on two server processes (postgres)', () => {
  const servers = useTwoServers('postgres');

  it(
    'a PUT and a migrate of the same file: the PUT wins, the counts stay right',
    async () => {
      const { a, b, dataDir, databaseUrl } = servers();
      const user = await servers().sharedAccount();
      const cli = (...args: string[]) => cumulus(['--data', dataDir, ...args], { CUMULUS_DATABASE_URL: databaseUrl });
      for (const name of ['left', 'right']) {
        const added = cli('policy', 'add', name, '--type', 'local', '--dir', path.join(dataDir, name), '--inline-max-bytes', '0');
        if (added.status !== 0) throw new Error(added.stderr);
      }
      const allowed = cli('group', 'set', 'User', '--policies', 'left,right');
      if (allowed.status !== 0) throw new Error(allowed.stderr);

      await runRounds(servers(), 'PUT x policy migrate', async (round, log) => {
        const file = `/migrate-${round}.bin`;
        const size = round % 2 === 0 ? 100 : INLINE_MAX_BYTES * 2;
        await must(dav(a, user, 'PUT', file, { body: contentOf(`first ${round}`, size) }));
        const second = contentOf(`second ${round}`, size);
        const migrate = spawnCumulus(
          ['--data', dataDir, 'policy', 'migrate', '--to', round % 2 === 0 ? 'right' : 'left', '--user', user.email],
          {
            CUMULUS_DATABASE_URL: databaseUrl,
          },
        );
        const exited = once(migrate, 'exit') as Promise<[number | null]>;
        const stderr: Buffer[] = [];
        // The PUT goes once the job is queued: every earlier round's files are in the scope, so
        // the migration is under way (moving them all from one policy to the other) as it lands.
        const started = new Promise<void>((resolve) => {
          migrate.stderr.on('data', (chunk: Buffer) => {
            stderr.push(chunk);
            if (Buffer.concat(stderr).toString().includes('Job ')) resolve();
          });
          migrate.once('exit', () => resolve());
        });
        await started;
        const [put] = log.saw(await dav(b, user, 'PUT', file, { body: second }));
        const [code] = await exited;
        log.check(succeeded(put), `the PUT must succeed: ${statuses(put)}`);
        log.check(code === 0, `the migration must succeed (exit ${code}): ${Buffer.concat(stderr).toString().slice(-500)}`);
        for (const server of [a, b]) {
          const now = await read(server, user, file);
          log.check(now.text === second, `${server.name} reads ${now.text.length} bytes that are not the last PUT's`);
        }
      });
    },
    RACE_TIMEOUT_MS + 300_000,
  );
});
