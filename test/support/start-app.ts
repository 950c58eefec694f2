/**
 * Child process for the start-up race test: starts the app as `cumulus serve` does
 * (migrations, default policy and groups, first administrator, server key), prints what it
 * created as one JSON line, and exits. It loads its modules first, says READY, and starts
 * when a line arrives on stdin, so that all the processes of a test start at the same moment.
 */
import { once } from 'node:events';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config/index.js';

const [dataDir, databaseUrl] = process.argv.slice(2) as [string, string];
process.stdout.write('READY\n');
await once(process.stdin, 'data');
process.stdin.destroy();
const app = await createApp(configSchema.parse({ dataDir, databaseUrl, logLevel: 'silent' }), {
  logger: pino({ level: 'silent' }),
  createFirstAdmin: true,
});
process.stdout.write(`${JSON.stringify({ createdAdmin: app.createdAdmin })}\n`);
await app.close();
