import { describe } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { jobQueueContract } from '../contract/job-queue.contract.js';
import { jobDatabase } from './support.js';

describe.each(DIALECTS)('database job queue on %s', (dialect) => {
  jobQueueContract(`database (${dialect})`, async () => {
    const store = await jobDatabase(dialect);
    const clock = { now: 1_800_000_000_000 };
    const queue = await store.open(() => clock.now);
    const other = await store.open(() => clock.now);
    return { queue, other, clock, close: () => store.close() };
  });
});
