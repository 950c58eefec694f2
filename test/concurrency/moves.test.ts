// Races between MOVE, COPY and DELETE, fired at two `cumulus serve` processes on one database
// (DESIGN.md decision 6). After every round: the clients' answers must match one serial order
// of the two requests, the final tree must be what that order leaves, and the invariants hold.
import { describe, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { contentOf, dav, destination, listNames, must, read, succeeded, statuses } from '../support/race-clients.js';
import { RACE_TIMEOUT_MS, runRounds } from '../support/race-rounds.js';
import { INLINE_MAX_BYTES, useTwoServers, type Account } from '../support/two-servers.js';

describe.each(DIALECTS)('MOVE, COPY and DELETE racing on two processes (%s)', (dialect) => {
  const servers = useTwoServers(dialect);
  let user: Account;

  const mkcol = (path: string) => must(dav(servers().a, user, 'MKCOL', path));
  const put = (path: string, text: string) => must(dav(servers().a, user, 'PUT', path, { body: text }));
  const names = (path: string) => listNames(servers().b, user, path);

  it(
    'MOVE /a into /b while /b moves into /a: one wins, no cycle',
    async () => {
      const { a, b } = servers();
      user = await servers().sharedAccount();
      await runRounds(servers(), 'MOVE x MOVE crossing', async (round, log) => {
        const base = `/cross-${round}`;
        for (const path of [base, `${base}/a`, `${base}/b`]) await mkcol(path);
        await put(`${base}/a/in-a.txt`, 'a');
        await put(`${base}/b/in-b.txt`, 'b');

        const [aIntoB, bIntoA] = log.saw(
          ...(await Promise.all([
            dav(a, user, 'MOVE', `${base}/a`, { headers: destination(a, `${base}/b/a`) }),
            dav(b, user, 'MOVE', `${base}/b`, { headers: destination(b, `${base}/a/b`) }),
          ])),
        );
        log.check(succeeded(aIntoB) !== succeeded(bIntoA), `exactly one MOVE must succeed: ${statuses(aIntoB, bIntoA)}`);
        const top = await names(base);
        if (succeeded(aIntoB) && !succeeded(bIntoA)) {
          log.check(JSON.stringify(top) === '["b"]', `after /a moved into /b the folder lists ${JSON.stringify(top)}`);
          log.check((await read(b, user, `${base}/b/a/in-a.txt`)).text === 'a', 'the moved file is not readable at its new place');
        } else if (succeeded(bIntoA) && !succeeded(aIntoB)) {
          log.check(JSON.stringify(top) === '["a"]', `after /b moved into /a the folder lists ${JSON.stringify(top)}`);
          log.check((await read(b, user, `${base}/a/b/in-b.txt`)).text === 'b', 'the moved file is not readable at its new place');
        }
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'MOVE racing DELETE of its destination folder or of its source',
    async () => {
      const { a, b } = servers();
      user = await servers().sharedAccount();
      await runRounds(servers(), 'MOVE x DELETE', async (round, log) => {
        const base = `/move-delete-${round}`;
        for (const path of [base, `${base}/src`, `${base}/dst`]) await mkcol(path);
        await put(`${base}/src/file.txt`, 'moved');
        const deleteDestination = round % 2 === 0;

        const [move, remove] = log.saw(
          ...(await Promise.all([
            dav(a, user, 'MOVE', `${base}/src`, { headers: destination(a, `${base}/dst/src`) }),
            dav(b, user, 'DELETE', deleteDestination ? `${base}/dst` : `${base}/src`),
          ])),
        );
        const top = JSON.stringify(await names(base));
        if (deleteDestination) {
          // MOVE first: both succeed and both folders are gone. DELETE first: the MOVE fails and src stays.
          log.check(succeeded(remove), `DELETE of the destination folder failed: ${statuses(move, remove)}`);
          if (succeeded(move) && succeeded(remove)) log.check(top === '[]', `MOVE and DELETE both succeeded but the folder lists ${top}`);
          else if (succeeded(remove)) {
            log.check(top === '["src"]', `only DELETE succeeded but the folder lists ${top}`);
            log.check((await read(b, user, `${base}/src/file.txt`)).text === 'moved', 'the source lost its file');
          }
        } else {
          // Whichever runs first wins; the other finds no source.
          log.check(
            succeeded(move) !== succeeded(remove),
            `exactly one of MOVE and DELETE of the source must succeed: ${statuses(move, remove)}`,
          );
          const inDestination = JSON.stringify(await names(`${base}/dst`));
          log.check(top === '["dst"]', `the folder lists ${top}`);
          if (succeeded(move) && !succeeded(remove)) {
            log.check(inDestination === '["src"]', `MOVE won but the destination lists ${inDestination}`);
            log.check((await read(b, user, `${base}/dst/src/file.txt`)).text === 'moved', 'the moved file is not readable');
          }
          if (succeeded(remove) && !succeeded(move))
            log.check(inDestination === '[]', `DELETE won but the destination lists ${inDestination}`);
        }
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'two renames to one name: with Overwrite F one gets 412, with Overwrite T one replaces the other',
    async () => {
      const { a, b } = servers();
      user = await servers().sharedAccount();
      await runRounds(servers(), 'rename x rename', async (round, log) => {
        const base = `/rename-${round}`;
        await mkcol(base);
        await put(`${base}/x`, 'from x');
        await put(`${base}/y`, 'from y');
        const overwrite = round % 2 === 0 ? 'F' : 'T';

        const [fromX, fromY] = log.saw(
          ...(await Promise.all([
            dav(a, user, 'MOVE', `${base}/x`, { headers: { ...destination(a, `${base}/z`), Overwrite: overwrite } }),
            dav(b, user, 'MOVE', `${base}/y`, { headers: { ...destination(b, `${base}/z`), Overwrite: overwrite } }),
          ])),
        );
        const top = JSON.stringify(await names(base));
        const z = (await read(b, user, `${base}/z`)).text;
        if (overwrite === 'F') {
          log.check(succeeded(fromX) !== succeeded(fromY), `exactly one rename must succeed without overwrite: ${statuses(fromX, fromY)}`);
          const loser = succeeded(fromX) ? fromY : fromX;
          log.check(loser.status === 412, `the other rename must get 412: ${statuses(fromX, fromY)}`);
          if (succeeded(fromX) && !succeeded(fromY))
            log.check(top === '["y","z"]' && z === 'from x', `x won: lists ${top}, z reads "${z}"`);
          if (succeeded(fromY) && !succeeded(fromX))
            log.check(top === '["x","z"]' && z === 'from y', `y won: lists ${top}, z reads "${z}"`);
        } else {
          log.check(succeeded(fromX) && succeeded(fromY), `both renames must succeed with overwrite: ${statuses(fromX, fromY)}`);
          log.check(!(fromX.status === 201 && fromY.status === 201), `both renames claim to have created z: ${statuses(fromX, fromY)}`);
          log.check(top === '["z"]', `the folder lists ${top}`);
          // The later one replaced the earlier: the one that answered 204 wrote last.
          const last = fromX.status === 204 ? 'from x' : fromY.status === 204 ? 'from y' : undefined;
          if (last) log.check(z === last, `z reads "${z}", expected "${last}"`);
        }
      });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'COPY racing DELETE of its source: the copy is whole or absent',
    async () => {
      const { a, b } = servers();
      user = await servers().sharedAccount();
      const large = contentOf('large', INLINE_MAX_BYTES * 2);
      await runRounds(servers(), 'COPY x DELETE', async (round, log) => {
        const base = `/copy-delete-${round}`;
        await mkcol(base);
        const folder = round % 2 === 0;
        if (folder) {
          await mkcol(`${base}/src`);
          await mkcol(`${base}/src/sub`);
          await put(`${base}/src/small.txt`, 'small');
          await put(`${base}/src/sub/large.txt`, large);
        } else {
          await put(`${base}/src`, large);
        }

        const [copy, remove] = log.saw(
          ...(await Promise.all([
            dav(a, user, 'COPY', `${base}/src`, { headers: { ...destination(a, `${base}/copy`), Depth: 'infinity' } }),
            dav(b, user, 'DELETE', `${base}/src`),
          ])),
        );
        log.check(succeeded(remove), `DELETE of the source failed: ${statuses(copy, remove)}`);
        const top = JSON.stringify(await names(base));
        if (succeeded(copy)) {
          log.check(top === '["copy"]', `COPY and DELETE both succeeded but the folder lists ${top}`);
          if (folder) {
            log.check((await read(b, user, `${base}/copy/small.txt`)).text === 'small', 'the copy lacks small.txt');
            log.check((await read(b, user, `${base}/copy/sub/large.txt`)).text === large, 'the copy lacks sub/large.txt');
          } else {
            log.check((await read(b, user, `${base}/copy`)).text === large, 'the copied file does not read back');
          }
        } else {
          log.check(top === '[]', `only DELETE succeeded but the folder lists ${top}`);
        }
      });
    },
    RACE_TIMEOUT_MS,
  );
});
