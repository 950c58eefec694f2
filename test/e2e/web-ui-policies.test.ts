// Storage policies in Debian's Chromium against a real server (SQLite: see UI_DIALECTS) (issue 11):
// the administration's Storage tab adds a local policy and probes it, and a member binds a
// folder through its menu ("Storage policy…"); a file written there afterwards is stored in
// the bound policy.
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parsePath } from '../../src/core/index.js';
import { bodyOf } from '../support/app.js';
import { PASSWORD, call, login, startApiServer, type ApiServer } from '../support/api-server.js';
import { placeOf } from '../services/policies/support.js';
import { DESKTOP, openPage, row, shoot, signIn, UI_DIALECTS, useChromium } from './web-ui.support.js';

const browser = useChromium();

describe.each(UI_DIALECTS)('web UI storage policies in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let context: BrowserContext;

  beforeAll(async () => {
    api = await startApiServer(dialect);
    context = await browser().newContext({ viewport: DESKTOP });
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await api?.close();
  });

  it('adds and tests a policy as an administrator, then a member binds a folder to it from its menu', async () => {
    const dir = path.join(api.t.dataDir, 'web-archive');
    const admin = await api.t.app.users.create({ email: `admin-policies-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
    const { page, watch } = await openPage(context);
    await signIn(page, api.origin, admin.email);
    await page.goto(`${api.origin}/admin?tab=policies`);
    await page.getByLabel('Name').fill('web-archive');
    await page.getByLabel('Directory').fill(dir);
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('button', { name: 'Test web-archive' }).click();
    await page.getByText('Works: write, read and delete succeeded').waitFor();
    if (dialect === 'sqlite') await shoot(page, 'admin-policies-desktop');
    const policy = await api.t.app.policies.get('web-archive');
    await api.t.app.groups.update('User', { storagePolicyIds: [api.t.app.defaultPolicyId, policy.id] });

    const member = await api.t.app.users.create({ email: `member-policies-${dialect}@example.test`, password: PASSWORD, group: 'User' });
    const principal = await api.t.app.users.principalFor(member);
    await api.t.app.vfs.mkdir(principal, parsePath('/Archive'));
    const second = await browser().newContext({ viewport: DESKTOP });
    try {
      const { page: memberPage, watch: memberWatch } = await openPage(second);
      await signIn(memberPage, api.origin, member.email);
      await row(memberPage, 'Archive').click({ button: 'right' });
      await memberPage.getByRole('menuitem', { name: 'Storage policy…' }).click();
      await memberPage.getByRole('radio', { name: 'web-archive (local)' }).check();
      await memberPage.getByRole('button', { name: 'Save' }).click();
      await expect.poll(async () => (await api.t.app.folderPolicies.of(principal, parsePath('/Archive'))).policy.name).toBe('web-archive');
      const { entry } = await api.t.app.vfs.write(principal, parsePath('/Archive/after.txt'), bodyOf('lands in the archive'));
      expect((await placeOf(api.t.app, entry.blobId!)).policyId).toBe(policy.id);
      expect(memberWatch.errors).toEqual([]);
    } finally {
      await second.close();
    }
    expect(watch.errors).toEqual([]);
  });

  it("chooses a group's storage policies and its default in the Groups tab, as the admin API then reads them", async () => {
    const cold = await api.t.app.policies.add({
      name: 'group-cold',
      type: 'local',
      settings: { path: path.join(api.t.dataDir, 'group-cold') },
    });
    const group = await api.t.app.groups.create({ name: 'Archivists' }, api.t.app.defaultPolicyId);
    const admin = await api.t.app.users.create({ email: `admin-groups-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
    const token = (await login(api, admin.email)).access_token;
    const readBack = async () => {
      const answer = await call<{ groups: Array<{ name: string; storage_policies: string[] }> }>(api, 'POST', '/admin/group', {
        token,
        json: {},
      });
      expect(answer.code, answer.msg).toBe(0);
      return answer.data!.groups.find((listed) => listed.name === group.name)!.storage_policies;
    };
    const local = String(api.t.app.defaultPolicyId);
    expect(await readBack()).toEqual([local]);

    // A page of its own: the first test's context is signed in as another administrator.
    const own = await browser().newContext({ viewport: DESKTOP });
    onTestFinished(() => own.close());
    const { page, watch } = await openPage(own);
    await signIn(page, api.origin, admin.email);
    await page.goto(`${api.origin}/admin?tab=groups`);
    await page.getByRole('button', { name: 'Edit group Archivists' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit group Archivists' });
    // None checked: refused in the dialog, and the group keeps its list.
    await dialog.getByRole('checkbox', { name: /^Default local storage/ }).uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').getByText('Choose at least one storage policy').waitFor();
    expect(await readBack()).toEqual([local]);

    await dialog.getByRole('checkbox', { name: /^Default local storage/ }).check();
    await dialog.getByRole('checkbox', { name: 'group-cold (local)' }).check();
    await dialog.getByRole('textbox', { name: 'Default storage policy' }).click();
    await page.getByRole('option', { name: 'group-cold' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Groups' }).getByText('group-cold (default), Default local storage').waitFor();
    expect(await readBack()).toEqual([String(cold.id), local]);
    expect((await api.t.app.groups.get('Archivists')).storagePolicyIds).toEqual([cold.id, api.t.app.defaultPolicyId]);
    expect(watch.errors).toEqual([]);
  });
});
