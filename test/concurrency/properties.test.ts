// Dead properties racing across two `cumulus serve` processes on one database. Their bytes are
// charged to storage used and limited per user, so two PROPPATCHes of one user at once must not
// both take the last room (of the quota or of webdav.maxPropertyBytesPerUser), and a PROPPATCH
// racing a DELETE or a COPY of its file must leave usage exact. After every round the answers
// must match one serial order and runRounds checks the invariants (usage = files + properties).
import { describe, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { contentOf, dav, must, statuses, succeeded, type Reply } from '../support/race-clients.js';
import { RACE_TIMEOUT_MS, runRounds, type RoundLog } from '../support/race-rounds.js';
import { useTwoServers, type Account, type ServerProcess, type TwoServers } from '../support/two-servers.js';

const KiB = 1024;
const MAX_PROPERTY_BYTES = 12 * KiB;

/** A PROPPATCH setting `Z:<name>` to `value`. */
function proppatch(server: ServerProcess, account: Account, path: string, name: string, value: string): Promise<Reply> {
  const body =
    '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:race">' +
    `<D:set><D:prop><Z:${name}>${value}</Z:${name}></D:prop></D:set></D:propertyupdate>`;
  return dav(server, account, 'PROPPATCH', path, { body, headers: { 'Content-Type': 'application/xml' } });
}

async function usageOf(servers: TwoServers, account: Account): Promise<number> {
  const row = await servers.database.db
    .selectFrom('users')
    .select('storage_used')
    .where('email', '=', account.email)
    .executeTakeFirstOrThrow();
  return Number(row.storage_used);
}

/** How many properties named `name` the database holds (from any round still standing). */
async function propertiesNamed(servers: TwoServers, name: string): Promise<number> {
  return (await servers.database.db.selectFrom('dead_properties').select('entry_id').where('name', '=', name).execute()).length;
}

/** A folder with two small files, `one` and `two`, for the two PROPPATCHes of a round. */
async function twoFiles(server: ServerProcess, account: Account, base: string): Promise<void> {
  await must(dav(server, account, 'MKCOL', base));
  await must(dav(server, account, 'PUT', `${base}/one`, { body: 'one' }));
  await must(dav(server, account, 'PUT', `${base}/two`, { body: 'two' }));
}

/** Sets `name` to `size` bytes on `one` through A and on `two` through B at once; exactly one may fit (the other: 507). */
async function racePair(servers: TwoServers, account: Account, base: string, name: string, size: number, log: RoundLog, room: string) {
  const [one, two] = log.saw(
    ...(await Promise.all([
      proppatch(servers.a, account, `${base}/one`, name, contentOf('one', size)),
      proppatch(servers.b, account, `${base}/two`, name, contentOf('two', size)),
    ])),
  );
  log.check(succeeded(one) !== succeeded(two), `exactly one PROPPATCH must fit ${room}: ${statuses(one, two)}`);
  for (const refused of [one, two].filter((reply) => !succeeded(reply))) {
    log.check(refused.status === 507, `a PROPPATCH over ${room} must get 507: ${statuses(one, two)}`);
  }
  return [one, two] as const;
}

describe.each(DIALECTS)('dead properties racing on two processes (%s)', (dialect) => {
  // Rounds delete what they made to start again under the limits: without a trash, a delete frees at once.
  const servers = useTwoServers(dialect, { webdav: { maxPropertyBytesPerUser: MAX_PROPERTY_BYTES }, trash: { retentionDays: 0 } });

  it(
    'two PROPPATCHes that each fit the storage quota but not together: exactly one is stored',
    async () => {
      const { a } = servers();
      const quota = 64 * KiB;
      const user = await servers().account({ quota });
      await runRounds(servers(), 'quota PROPPATCH x PROPPATCH', async (round, log) => {
        const base = `/quota-${round}`;
        await twoFiles(a, user, base);
        // Leaves about 7 KiB: room for one 5 KiB property (well under the per-user byte limit), not two.
        const room = 7 * KiB;
        await must(dav(a, user, 'PUT', `${base}/filler`, { body: contentOf('filler', quota - (await usageOf(servers(), user)) - room) }));

        const [one, two] = await racePair(servers(), user, base, 'big', 5 * KiB, log, 'the quota');
        const stored = await propertiesNamed(servers(), 'big');
        log.check(stored === [one, two].filter(succeeded).length, `the answers say ${statuses(one, two)}, the database holds ${stored}`);
        const used = await usageOf(servers(), user);
        log.check(used <= quota, `${used} bytes used over a ${quota}-byte quota`);
        await must(dav(a, user, 'DELETE', base));
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    `two PROPPATCHes that each fit webdav.maxPropertyBytesPerUser (${MAX_PROPERTY_BYTES}) but not together: exactly one is stored`,
    async () => {
      const { a } = servers();
      const user = await servers().account();
      await runRounds(servers(), 'limit PROPPATCH x PROPPATCH', async (round, log) => {
        const base = `/limit-${round}`;
        await twoFiles(a, user, base);
        const before = await usageOf(servers(), user);
        await racePair(servers(), user, base, 'wide', 7 * KiB, log, 'the byte limit');
        const charged = (await usageOf(servers(), user)) - before;
        log.check(charged > 7 * KiB && charged < 8 * KiB, `one 7 KiB property must be charged, ${charged} bytes were`);
        await must(dav(a, user, 'DELETE', base));
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'a PROPPATCH racing a DELETE or a COPY of its folder leaves usage exact',
    async () => {
      const { a, b } = servers();
      const user = await servers().sharedAccount();
      await runRounds(servers(), 'PROPPATCH x DELETE/COPY', async (round, log) => {
        const base = `/tree-${round}`;
        await must(dav(a, user, 'MKCOL', base));
        await must(dav(a, user, 'PUT', `${base}/file`, { body: 'content' }));
        await must(proppatch(a, user, `${base}/file`, 'first', contentOf('first', 2 * KiB)));

        const patch = proppatch(a, user, `${base}/file`, 'second', contentOf('second', 3 * KiB));
        if (round % 2 === 0) {
          const [patched, deleted] = log.saw(...(await Promise.all([patch, dav(b, user, 'DELETE', base)])));
          log.check(deleted.status === 204, `the DELETE must succeed: ${statuses(patched, deleted)}`);
          log.check([207, 404, 409].includes(patched.status), `the PROPPATCH must apply or find nothing: ${statuses(patched, deleted)}`);
        } else {
          const copied = dav(b, user, 'COPY', base, { headers: { Destination: `${b.origin}/dav${base}-copy` } });
          const [patched, copy] = log.saw(...(await Promise.all([patch, copied])));
          log.check(patched.status === 207 && copy.status === 201, `both must succeed: ${statuses(patched, copy)}`);
          await must(dav(a, user, 'DELETE', `${base}-copy`));
          await must(dav(a, user, 'DELETE', base));
        }
      });
    },
    RACE_TIMEOUT_MS,
  );
});
