// WebDAV locks (RFC 4918 section 6, 9.10) racing across two `cumulus serve` processes on one
// database: an exclusive lock is granted once, and a write the lock forbids never lands.
import { describe, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { contentOf, dav, lock, must, read, streamingPut, succeeded, type Reply, statuses } from '../support/race-clients.js';
import { RACE_TIMEOUT_MS, runRounds, type RoundLog } from '../support/race-rounds.js';
import { INLINE_MAX_BYTES, useTwoServers, type Account, type TwoServers } from '../support/two-servers.js';

/** The granted lock holds: a write without its token is refused, and the token unlocks it. */
async function checkLockHolds(servers: TwoServers, user: Account, path: string, granted: Reply, log: RoundLog): Promise<void> {
  const token = granted.headers.get('lock-token');
  log.check(token !== null, `${granted.request} answered ${granted.status} without a Lock-Token`);
  const blocked = log.saw(await dav(servers.b, user, 'PUT', path, { body: 'without the token' }))[0];
  log.check(blocked.status === 423, `a PUT without the lock's token answered ${blocked.status}`);
  if (token) {
    const unlock = log.saw(await dav(servers.a, user, 'UNLOCK', path, { headers: { 'Lock-Token': token } }))[0];
    log.check(unlock.status === 204, `UNLOCK with the granted token answered ${unlock.status}`);
  }
}

describe.each(DIALECTS)('LOCK racing on two processes (%s)', (dialect) => {
  const servers = useTwoServers(dialect);

  it(
    'two exclusive LOCKs of one file, existing or not yet: exactly one is granted',
    async () => {
      const { a, b } = servers();
      const user = await servers().sharedAccount();
      await runRounds(servers(), 'LOCK x LOCK', async (round, log) => {
        const path = `/locked-${round}.txt`;
        // Even rounds lock an existing file, odd ones an unmapped name (RFC 4918 9.10.4: the LOCK creates it).
        if (round % 2 === 0) await must(dav(a, user, 'PUT', path, { body: 'content' }));

        const [first, second] = log.saw(...(await Promise.all([lock(a, user, path), lock(b, user, path)])));
        log.check(succeeded(first) !== succeeded(second), `exactly one exclusive LOCK must be granted: ${statuses(first, second)}`);
        const refused = succeeded(first) ? second : first;
        log.check(refused.status === 423, `the other LOCK must get 423: ${statuses(first, second)}`);
        const granted = succeeded(first) ? first : succeeded(second) ? second : undefined;
        if (granted && !(succeeded(first) && succeeded(second))) await checkLockHolds(servers(), user, path, granted, log);
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'LOCK racing a PUT without its token: the PUT lands before the lock or not at all',
    async () => {
      const { a, b } = servers();
      const user = await servers().sharedAccount();
      const replacement = contentOf('new', INLINE_MAX_BYTES * 2);
      await runRounds(servers(), 'LOCK x PUT', async (round, log) => {
        const path = `/lock-put-${round}.txt`;
        await must(dav(a, user, 'PUT', path, { body: 'old' }));

        let granted: Reply;
        let put: { status: number; text: string };
        if (round % 2 === 0) {
          // Both at once: either order is fine, as long as the answers tell which one it was.
          const replies = log.saw(...(await Promise.all([lock(a, user, path), dav(b, user, 'PUT', path, { body: replacement })])));
          granted = replies[0];
          put = replies[1];
        } else {
          // The lock is granted while the PUT's body is still arriving: the PUT must not land.
          const upload = streamingPut(b, user, path, replacement.length);
          await upload.send(Buffer.from(replacement.slice(0, INLINE_MAX_BYTES)));
          granted = log.saw(await lock(a, user, path))[0];
          await upload.send(Buffer.from(replacement.slice(INLINE_MAX_BYTES)));
          put = await upload.finish();
          log.check(put.status < 500, `the PUT answered ${put.status}: ${put.text.slice(0, 300)}`);
          log.check(!succeeded(granted) || put.status === 423, `the lock was granted mid-PUT, yet the PUT answered ${put.status}`);
        }
        log.check(succeeded(granted), `LOCK answered ${granted.status}`);
        const content = (await read(b, user, path)).text;
        if (succeeded(put)) {
          log.check(content === replacement, `the PUT succeeded (${put.status}) but the file reads ${content.length} bytes`);
        } else {
          log.check(put.status === 423, `the PUT answered ${put.status}, not 423`);
          log.check(content === 'old', `the PUT was refused (${put.status}) but the file changed`);
        }
        if (succeeded(granted)) await checkLockHolds(servers(), user, path, granted, log);
      });
    },
    RACE_TIMEOUT_MS,
  );
});
