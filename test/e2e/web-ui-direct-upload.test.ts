// Direct uploads from the web UI to S3 (issue 11, item 5; contract 15.5) in Debian's Chromium
// against a real server and a real s3rver whose bucket has a CORS rule: a file dropped into a
// folder bound to the S3 policy goes part by part from the page straight to the bucket, and
// the server only opens the session and takes the callback. The page's CSP names the store's
// origin. A folder on the local policy still sends its chunks to the server (relay).
import { randomBytes } from 'node:crypto';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../src/core/index.js';
import { readAll } from '../support/app.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';
import { DIRECT_UPLOAD_CORS, startS3Server, type S3Server } from '../support/s3-server.js';
import { placeOf } from '../services/policies/support.js';
import { DESKTOP, openPage, row, signIn, UI_DIALECTS, useChromium } from './web-ui.support.js';

const MiB = 1024 * 1024;
const PART_SIZE = 5 * MiB;

const browser = useChromium();

describe.each(UI_DIALECTS)('web UI direct upload to S3 in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let s3: S3Server;
  /** A store whose bucket has no CORS rule: browsers may not send it anything. */
  let bare: S3Server;
  const contexts: BrowserContext[] = [];
  let principal: Principal;
  let email: string;
  let policyId: number;

  beforeAll(async () => {
    s3 = await startS3Server('cumulus', { cors: DIRECT_UPLOAD_CORS });
    bare = await startS3Server('cumulus');
    api = await startApiServer(dialect);
    const policy = await api.t.app.policies.add({
      name: 'objects',
      type: 's3',
      settings: { ...s3.settings('objects/', { partSizeBytes: PART_SIZE }) },
    });
    policyId = policy.id;
    const uncors = await api.t.app.policies.add({
      name: 'no-cors',
      type: 's3',
      settings: { ...bare.settings('objects/', { partSizeBytes: PART_SIZE }) },
    });
    await api.t.app.groups.update('User', { storagePolicyIds: [api.t.app.defaultPolicyId, policy.id, uncors.id] });
    const created = await api.t.newUser(`direct-${dialect}@example.test`);
    email = created.user.email;
    principal = created.principal;
    await api.t.app.vfs.mkdir(principal, parsePath('/Bucket'));
    await api.t.app.folderPolicies.bind(principal, parsePath('/Bucket'), 'objects');
    await api.t.app.vfs.mkdir(principal, parsePath('/NoCors'));
    await api.t.app.folderPolicies.bind(principal, parsePath('/NoCors'), 'no-cors');
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await api?.close();
    await s3?.close();
    await bare?.close();
  });

  const CHUNK_POST = /\/api\/v4\/file\/upload\/[^/]+\/\d+$/;
  /** A signed-in page of its own at `/home?path=folder`, recording every request it makes. */
  const openFolder = async (folder: string) => {
    const context = await browser().newContext({ viewport: DESKTOP });
    contexts.push(context);
    const { page: tab, watch } = await openPage(context);
    const requests: Array<{ method: string; url: string }> = [];
    tab.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
    await signIn(tab, api.origin, email);
    await tab.goto(`${api.origin}/home?path=${encodeURIComponent(folder)}`);
    const chunkPosts = () => requests.filter((request) => CHUNK_POST.test(request.url));
    return { tab, watch, requests, chunkPosts };
  };

  it('sends the parts of a file in an S3-bound folder straight to the bucket, none through the server', async () => {
    const page = await fetch(`${api.origin}/home`);
    const connectSrc = page.headers
      .get('content-security-policy')!
      .split(';')
      .map((directive) => directive.trim().split(' '))
      .find(([name]) => name === 'connect-src')!;
    expect(connectSrc.slice(0, 2)).toEqual(['connect-src', "'self'"]);
    expect(connectSrc).toContain(s3.endpoint);

    const { tab, watch, requests, chunkPosts } = await openFolder('/Bucket');
    const content = randomBytes(PART_SIZE + 3 * 1024 + 7);
    await tab
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'straight.bin', mimeType: 'application/octet-stream', buffer: content }]);
    const panel = tab.getByRole('region', { name: 'Uploads' });
    await panel.getByText('Uploads finished').waitFor();
    await row(tab, 'straight.bin').waitFor();

    // The file, its bytes, and where they are: the S3 policy's blob, the object in the bucket.
    const { entry, stream } = await api.t.app.vfs.read(principal, parsePath('/Bucket/straight.bin'));
    expect((await readAll(stream)).equals(content)).toBe(true);
    const place = await placeOf(api.t.app, entry.blobId!);
    expect(place.policyId).toBe(policyId);
    const backend = await api.t.app.policyRegistry.backendOf(policyId);
    expect(await backend.stat(place.key)).toMatchObject({ size: content.length });

    // The browser: two part PUTs and the completion to the store, the callback to the server,
    // and no chunk posted to the server.
    const toStore = requests.filter((request) => request.url.startsWith(`${s3.endpoint}/`));
    expect(toStore.filter((request) => request.method === 'PUT')).toHaveLength(2);
    expect(toStore.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(chunkPosts()).toEqual([]);
    expect(requests.filter((request) => request.url.includes('/api/v4/callback/s3/'))).toHaveLength(1);
    expect(watch.errors).toEqual([]);
  });

  it("follows the policies: a store's origins join the page's connect-src when its policy is added and leave when it goes", async () => {
    const connectSrc = async () =>
      (await fetch(`${api.origin}/home`)).headers
        .get('content-security-policy')!
        .split(';')
        .map((directive) => directive.trim())
        .find((directive) => directive.startsWith('connect-src '));
    const before = [s3.endpoint, bare.endpoint].sort().join(' ');
    expect(await connectSrc()).toBe(`connect-src 'self' ${before}`);
    // Virtual-hosted style: the bucket's subdomain too (and the endpoint, where the SDK falls back to path style).
    await api.t.app.policies.add({
      name: 'elsewhere',
      type: 's3',
      settings: { ...s3.settings(), endpoint: 'https://objects.example.test:9443', bucket: 'photos', forcePathStyle: false },
    });
    // Other processes see a change within a second (the shared 'policies' counter): polled.
    await expect
      .poll(connectSrc)
      .toBe(`connect-src 'self' ${before} https://objects.example.test:9443 https://photos.objects.example.test:9443`);
    await api.t.app.policies.remove('elsewhere');
    await expect.poll(connectSrc).toBe(`connect-src 'self' ${before}`);
  });

  it("offers to send the file through the server when the store's CORS rule refuses the page, and does so on Retry", async () => {
    const { tab, watch, chunkPosts } = await openFolder('/NoCors');
    const content = randomBytes(PART_SIZE + 11);
    await tab
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'refused.bin', mimeType: 'application/octet-stream', buffer: content }]);
    const panel = tab.getByRole('region', { name: 'Uploads' });
    const retry = panel.getByRole('button', { name: 'Retry refused.bin' });
    await retry.waitFor({ timeout: 120_000 });
    await expect.poll(() => panel.textContent()).toMatch(/Retry sends the file through the server instead/);
    expect(chunkPosts()).toEqual([]);
    await retry.click();
    await panel.getByText('Uploads finished').waitFor();
    const { entry, stream } = await api.t.app.vfs.read(principal, parsePath('/NoCors/refused.bin'));
    expect((await readAll(stream)).equals(content)).toBe(true);
    // Relayed, yet stored where the folder says: the server put the bytes into the bucket.
    expect((await placeOf(api.t.app, entry.blobId!)).policyId).toBe((await api.t.app.policies.get('no-cors')).id);
    expect(chunkPosts().length).toBeGreaterThan(0);
    expect(watch.errors).toEqual([]);
  });

  it('sends the chunks of a file in a folder on the local policy to the server (relay)', async () => {
    const { tab, watch, chunkPosts } = await openFolder('/');
    const content = randomBytes(200 * 1024);
    await tab
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'relayed.bin', mimeType: 'application/octet-stream', buffer: content }]);
    await tab.getByRole('region', { name: 'Uploads' }).getByText('Uploads finished').waitFor();
    const { entry, stream } = await api.t.app.vfs.read(principal, parsePath('/relayed.bin'));
    expect((await readAll(stream)).equals(content)).toBe(true);
    expect((await placeOf(api.t.app, entry.blobId!)).policyId).toBe(api.t.app.defaultPolicyId);
    expect(chunkPosts().length).toBeGreaterThan(0);
    expect(watch.errors).toEqual([]);
  });
});
