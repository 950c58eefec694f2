// Writes racing across two `cumulus serve` processes on one database: two PUTs of one new
// name, two PUTs that fit the quota only one at a time, and a REST API upload's last chunk
// racing a WebDAV DELETE of its folder. After every round the answers must match one serial
// order, and usage, reference counts and the tree must be right.
import { describe, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { api, contentOf, dav, listNames, must, read, succeeded, statuses } from '../support/race-clients.js';
import { RACE_TIMEOUT_MS, runRounds } from '../support/race-rounds.js';
import { CHUNK_BYTES, INLINE_MAX_BYTES, useTwoServers } from '../support/two-servers.js';

const KiB = 1024;

describe.each(DIALECTS)('writes racing on two processes (%s)', (dialect) => {
  // Each round deletes its folder to start the next one under the quota again: without a trash, a
  // delete frees the bytes at once (trashed bytes stay charged: test/vfs/vfs.history.test.ts).
  const servers = useTwoServers(dialect, { trash: { retentionDays: 0 } });

  it(
    'two PUTs of one new name: one creates it, the other replaces it',
    async () => {
      const { a, b } = servers();
      const user = await servers().sharedAccount();
      await runRounds(servers(), 'PUT x PUT', async (round, log) => {
        const path = `/put-${round}.bin`;
        // Even rounds write small files (kept inline in the blob row), odd rounds streamed ones.
        const size = round % 2 === 0 ? 100 : INLINE_MAX_BYTES * 2;
        const bodies = [contentOf(`from A ${round}`, size), contentOf(`from B ${round}`, size)] as const;

        const [fromA, fromB] = log.saw(
          ...(await Promise.all([dav(a, user, 'PUT', path, { body: bodies[0] }), dav(b, user, 'PUT', path, { body: bodies[1] })])),
        );
        log.check(succeeded(fromA) && succeeded(fromB), `both PUTs must succeed: ${statuses(fromA, fromB)}`);
        const pair = [fromA.status, fromB.status].sort().join(',');
        log.check(pair === '201,204', `one PUT must create (201) and the other replace (204): ${statuses(fromA, fromB)}`);
        const content = (await read(b, user, path)).text;
        const last = fromA.status === 204 ? bodies[0] : fromB.status === 204 ? bodies[1] : undefined;
        log.check(content === bodies[0] || content === bodies[1], `the file reads ${content.length} bytes that neither PUT sent`);
        if (pair === '201,204') log.check(content === last, 'the file does not hold what the replacing PUT sent');
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'two PUTs that each fit the quota but not together: exactly one is stored',
    async () => {
      const { a, b } = servers();
      const quota = 100 * KiB;
      const user = await servers().account({ quota });
      await runRounds(servers(), 'quota PUT x PUT', async (round, log) => {
        const base = `/quota-${round}`;
        await must(dav(a, user, 'MKCOL', base));
        // Even rounds: two streamed 60 KiB files. Odd rounds: 90 KiB in place, then two inline 8 KiB files.
        let size = 60 * KiB;
        if (round % 2 === 1) {
          await must(dav(a, user, 'PUT', `${base}/filler`, { body: contentOf('filler', 90 * KiB) }));
          size = 8 * KiB;
        }

        const [one, two] = log.saw(
          ...(await Promise.all([
            dav(a, user, 'PUT', `${base}/one`, { body: contentOf('one', size) }),
            dav(b, user, 'PUT', `${base}/two`, { body: contentOf('two', size) }),
          ])),
        );
        log.check(succeeded(one) !== succeeded(two), `exactly one PUT must fit in the quota: ${statuses(one, two)}`);
        for (const refused of [one, two].filter((reply) => !succeeded(reply))) {
          log.check(refused.status === 507, `a PUT over the quota must get 507: ${statuses(one, two)}`);
        }
        const stored = JSON.stringify(await listNames(b, user, base));
        const expected = JSON.stringify(
          [...(round % 2 === 1 ? ['filler'] : []), ...(succeeded(one) ? ['one'] : []), ...(succeeded(two) ? ['two'] : [])].sort(),
        );
        log.check(stored === expected, `the answers say ${expected} were stored, the folder lists ${stored}`);
        const used = await servers()
          .database.db.selectFrom('users')
          .select('storage_used')
          .where('email', '=', user.email)
          .executeTakeFirstOrThrow();
        log.check(Number(used.storage_used) <= quota, `${used.storage_used} bytes used over a ${quota}-byte quota`);
        await must(dav(a, user, 'DELETE', base));
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    "a REST API upload's last chunk racing a WebDAV DELETE of its folder",
    async () => {
      const { a, b } = servers();
      const user = await servers().sharedAccount();
      const chunks = 3;
      const content = Buffer.from(contentOf('upload', chunks * CHUNK_BYTES + 100));
      await runRounds(servers(), 'upload commit x DELETE', async (round, log) => {
        const folder = `/upload-${round}`;
        const opened = await api<{ session_id: string }>(a, user, 'PUT', '/file/upload', {
          uri: `cloudreve://my${folder}/file.bin`,
          size: content.length,
        });
        if (opened.code !== 0) throw new Error(`setup: opening the upload answered ${opened.code} ${opened.msg}`);
        const session = opened.data!.session_id;
        const chunk = (index: number) => content.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
        for (let index = 0; index < chunks; index++) {
          const sent = await api(a, user, 'POST', `/file/upload/${session}/${index}`, chunk(index));
          if (sent.code !== 0) throw new Error(`setup: chunk ${index} answered ${sent.code} ${sent.msg}`);
        }

        const [last, remove] = log.saw(
          ...(await Promise.all([
            api(a, user, 'POST', `/file/upload/${session}/${chunks}`, chunk(chunks)),
            dav(b, user, 'DELETE', folder),
          ])),
        );
        log.check(last.code !== -1, `the last chunk's answer is not an envelope: ${last.status} ${last.text.slice(0, 200)}`);
        log.check(succeeded(remove), `DELETE of the folder answered ${remove.status} (last chunk: ${last.code} ${last.msg})`);
        // Either order leaves no folder: the upload completed and was deleted, or it found its placeholder gone.
        const left = await listNames(b, user, folder);
        log.check(left === null, `after the DELETE the folder still lists ${JSON.stringify(left)} (last chunk: ${last.code} ${last.msg})`);
      });
    },
    RACE_TIMEOUT_MS,
  );
});
