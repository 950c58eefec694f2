import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { expectInvariants } from '../support/invariants.js';
import { bareToken, lockinfo, storedEntry, storedNames } from '../support/replay.js';
import { readAll } from '../support/app.js';

/**
 * Issue 12 over real WebDAV: the safe-save sequences of shared/webdav-clients.md (section 3,
 * Excel's `.tmp` MOVEd over the book; Word renaming the original away and the temporary file
 * onto it; LibreOffice deleting the original and renaming its `lu*.tmp` onto it) keep the
 * document's id and leave its previous content as a version whose restore gives back the
 * exact bytes; a WebDAV DELETE puts a folder in the trash, whole.
 */
const client = { 'User-Agent': 'Microsoft-WebDAV-MiniRedir/10.0.19045', translate: 'f' };
const LOCK_HEADERS = { ...client, Timeout: 'Second-3600', 'Content-Type': 'text/xml; charset="utf-8"' };

describe.each(DIALECTS)('safe saves keep history over WebDAV (%s)', (dialect) => {
  let dav: DavServer;
  let owner: Principal;
  beforeAll(async () => {
    dav = await startDavServer(dialect);
    owner = await dav.t.app.users.principalFor(await dav.t.app.users.get(dav.email));
    expect((await davFetch(dav, '/dav/Docs', { method: 'MKCOL' })).status).toBe(201);
  });
  afterAll(() => dav.close());

  const put = async (path: string, body: string, status: number) =>
    expect((await davFetch(dav, `/dav/Docs/${path}`, { method: 'PUT', headers: client, body })).status).toBe(status);
  const move = async (from: string, to: string, status: number) => {
    const headers = { ...client, Destination: `${dav.origin}/dav/Docs/${to}`, Overwrite: 'T' };
    expect((await davFetch(dav, `/dav/Docs/${from}`, { method: 'MOVE', headers })).status).toBe(status);
  };
  const remove = async (path: string) =>
    expect((await davFetch(dav, `/dav/Docs/${path}`, { method: 'DELETE', headers: client })).status).toBe(204);
  async function versionsOf(name: string) {
    return (await dav.t.app.vfs.history.versions(owner, parsePath(`/Docs/${name}`))).versions;
  }
  async function restoreOldest(name: string): Promise<string> {
    const versions = await versionsOf(name);
    await dav.t.app.vfs.history.restoreVersion(owner, parsePath(`/Docs/${name}`), versions[versions.length - 1]!.id);
    return (await readAll((await dav.t.app.vfs.read(owner, parsePath(`/Docs/${name}`))).stream)).toString();
  }

  it('Excel: PUT 34429E5E.tmp, MOVE it over the locked-then-unlocked book: same id, one version', async () => {
    await put('book.xlsx', 'workbook v1', 201);
    const original = (await storedEntry(dav, '/Docs/book.xlsx'))!;
    const locked = await davFetch(dav, '/dav/Docs/book.xlsx', {
      method: 'LOCK',
      headers: LOCK_HEADERS,
      body: lockinfo('<D:href>alice</D:href>'),
    });
    const token = bareToken(locked.headers.get('lock-token'));
    await put('34429E5E.tmp', 'workbook v2', 201);
    expect(
      (await davFetch(dav, '/dav/Docs/book.xlsx', { method: 'UNLOCK', headers: { ...client, 'Lock-Token': `<${token}>` } })).status,
    ).toBe(204);
    await move('34429E5E.tmp', 'book.xlsx', 204);
    expect((await storedEntry(dav, '/Docs/book.xlsx'))!.id).toBe(original.id);
    expect((await versionsOf('book.xlsx')).map((v) => v.size)).toEqual([11, 11]);
    expect(await restoreOldest('book.xlsx')).toBe('workbook v1');
    await expectInvariants(dav.t.app.database);
  });

  it('Word: MOVE the original to ~WRL0001.tmp, ~WRD0000.tmp onto the name, DELETE the backup: same id, one version', async () => {
    await put('thesis.docx', 'thesis draft 1', 201);
    const original = (await storedEntry(dav, '/Docs/thesis.docx'))!;
    await put('~WRD0000.tmp', 'thesis draft 2', 201);
    await move('thesis.docx', '~WRL0001.tmp', 201);
    await move('~WRD0000.tmp', 'thesis.docx', 201);
    await remove('~WRL0001.tmp');
    expect((await storedEntry(dav, '/Docs/thesis.docx'))!.id).toBe(original.id);
    expect((await storedNames(dav, '/Docs')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await versionsOf('thesis.docx')).toHaveLength(2);
    expect(await restoreOldest('thesis.docx')).toBe('thesis draft 1');
    await expectInvariants(dav.t.app.database);
  });

  it('LibreOffice: lock file, PUT lu1234.tmp, DELETE the original, MOVE the temporary file onto it: same id, out of the trash', async () => {
    await put('report.odt', 'report v1', 201);
    const original = (await storedEntry(dav, '/Docs/report.odt'))!;
    await put('.~lock.report.odt%23', 'alice,host', 201);
    await put('lu1234abcd.tmp', 'report v2!', 201);
    await remove('report.odt');
    await move('lu1234abcd.tmp', 'report.odt', 201);
    await remove('.~lock.report.odt%23');
    expect((await storedEntry(dav, '/Docs/report.odt'))!.id).toBe(original.id);
    const trash = await dav.t.app.vfs.history.trash(owner);
    expect(trash.map((item) => item.entry.name)).not.toContain('report.odt');
    expect(trash.map((item) => item.entry.name)).not.toContain('.~lock.report.odt#');
    expect(await restoreOldest('report.odt')).toBe('report v1');
    await expectInvariants(dav.t.app.database);
  });

  it('DELETE of a folder puts it in the trash; it comes back whole', async () => {
    expect((await davFetch(dav, '/dav/Docs/Sub', { method: 'MKCOL' })).status).toBe(201);
    await put('Sub/inner.txt', 'inner', 201);
    await remove('Sub');
    expect((await davFetch(dav, '/dav/Docs/Sub/inner.txt', { headers: client })).status).toBe(404);
    const item = (await dav.t.app.vfs.history.trash(owner)).find((i) => i.entry.name === 'Sub')!;
    await dav.t.app.vfs.history.restore(owner, item.entry.id);
    const back = await davFetch(dav, '/dav/Docs/Sub/inner.txt', { headers: client });
    expect(await back.text()).toBe('inner');
    await expectInvariants(dav.t.app.database);
  });
});
