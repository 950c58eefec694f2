// The administration's Jobs tab in Debian's Chromium against a real server (useWebUi): jobs
// with their state, attempts and progress, the progress of a running job moving without a
// reload (the page polls while visible), and retry and cancel buttons that change the queue.
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/api-server.js';
import { shoot, signIn, useWebUi } from './web-ui.support.js';

describe('web UI jobs page in Chromium', () => {
  const ui = useWebUi();

  it('lists jobs with live progress, and retries and cancels them', async () => {
    const { api } = ui;
    const queue = api.t.app.jobs.queue;
    const dead = (await queue.enqueue('web.import', { folder: 1 })).job.id;
    await queue.finish((await queue.claim(['web.import'], 600_000))!, { type: 'failed', error: 'the source is gone', permanent: true });
    const running = (await queue.enqueue('web.thumbnail', { file: 1 })).job.id;
    const lease = (await queue.claim(['web.thumbnail'], 600_000))!;
    await queue.heartbeat(lease, { fraction: 0.3, message: 'photo 3 of 10' });
    const waiting = (await queue.enqueue('web.thumbnail', { file: 2 }, { delayMs: 3600_000 })).job.id;

    const admin = await api.t.app.users.create({ email: 'admin-jobs@example.test', password: PASSWORD, group: 'Admin' });
    const { page, watch } = await ui.open();
    await signIn(page, api.origin, admin.email);
    await page.goto(`${api.origin}/admin?tab=jobs`);
    const row = (id: number) => page.locator(`[data-job-id="${id}"]`);

    await row(running).getByText('30% photo 3 of 10').waitFor();
    expect(await row(dead).textContent()).toMatch(/deadthe source is gone1 \/ 5/);
    await shoot(page, 'admin-jobs-desktop');

    // Progress moves without a reload.
    await queue.heartbeat(lease, { fraction: 0.6, message: 'photo 6 of 10' });
    await row(running).getByText('60% photo 6 of 10').waitFor();

    await row(waiting).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(async () => (await queue.get(waiting)).state).toBe('cancelled');
    await row(dead).getByRole('button', { name: 'Retry' }).click();
    await expect.poll(async () => (await queue.get(dead)).state).toBe('queued');
    await row(running).getByRole('button', { name: 'Cancel' }).click();
    await row(running).getByText('cancelling').waitFor();
    expect(await queue.heartbeat(lease)).toBe('cancel');
    expect(watch.errors).toEqual([]);
  });
});
