// Start-up failures a person must fix (issue 10 item 8): one readable line on stderr, exit
// code 2, no stack trace; for `serve --workers 2` as for any other command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { tempDir } from '../support/databases.js';
import { cumulus, type CliResult } from '../support/cli.js';

function expectStartupFailure(result: CliResult, message: RegExp): void {
  expect(result.status, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('start-up failures', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
    // The first start records the fingerprint of DATA/secrets/jwt.key.
    expect(cumulus(['--data', dir.path, 'user', 'list', '--json']).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('refuses a server key other than the one the database was first started with, in every worker', () => {
    const otherKey = path.join(dir.path, 'other.key');
    writeFileSync(otherKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const env = { CUMULUS_JWT_SECRET_FILE: otherKey };
    expectStartupFailure(cumulus(['--data', dir.path, 'user', 'list'], env), /^cumulus: The server key in .*other\.key is not the one/);
    const served = cumulus(['--data', dir.path, 'serve', '--listen', '127.0.0.1:0', '--workers', '2'], {
      ...env,
      CUMULUS_LOG_LEVEL: 'fatal',
    });
    expectStartupFailure(served, /The server key in .*other\.key is not the one/);
    // The right key still works.
    expect(cumulus(['--data', dir.path, 'user', 'list']).status).toBe(0);
  });

  it('refuses an empty or short key file', () => {
    const empty = path.join(dir.path, 'empty.key');
    writeFileSync(empty, '', { mode: 0o600 }); // private, as keys are: nothing to tighten, nothing logged before the error
    expectStartupFailure(
      cumulus(['--data', dir.path, 'user', 'list'], { CUMULUS_JWT_SECRET_FILE: empty }),
      /^cumulus: The server key in .* is empty/,
    );
    const short = path.join(dir.path, 'short.key');
    writeFileSync(short, 'c2hvcnQ=\n', { mode: 0o600 });
    expectStartupFailure(cumulus(['--data', dir.path, 'user', 'list'], { CUMULUS_JWT_SECRET_FILE: short }), /shorter than 32 bytes/);
  });

  it('refuses a database migrated by a newer version', () => {
    const other = tempDir();
    try {
      expect(cumulus(['--data', other.path, 'user', 'list']).status).toBe(0);
      const sqlite = new SqliteDatabase(path.join(other.path, 'cumulus.db'));
      sqlite
        .prepare('insert into schema_migrations (name, timestamp) values (?, ?)')
        .run('29991231T0000_from_the_future', new Date().toISOString());
      sqlite.close();
      expectStartupFailure(
        cumulus(['--data', other.path, 'user', 'list']),
        /newer version of Cumulus \(unknown migration 29991231T0000_from_the_future\)/,
      );
    } finally {
      other.remove();
    }
  });

  it('says when the listen address is in use, and ends rather than hang serving nothing', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      for (const workers of ['1', '2']) {
        expectStartupFailure(
          cumulus(['--data', dir.path, 'serve', '--listen', `127.0.0.1:${port}`, '--workers', workers], { CUMULUS_LOG_LEVEL: 'fatal' }),
          new RegExp(`cumulus: Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`),
        );
      }
    } finally {
      holder.close();
    }
  });

  it('says when the database cannot be reached', () => {
    expectStartupFailure(
      cumulus(['--data', dir.path, '--database-url', 'postgres://cumulus:secret@127.0.0.1:1/cumulus', 'user', 'list']),
      /^cumulus: Cannot open the database: The database cannot be reached/,
    );
  });
});
