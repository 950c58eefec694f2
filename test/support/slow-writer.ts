/**
 * Child process for the crash test: opens the app on the given data directory and database,
 * starts writing an endless file, says "WRITING" once a few MiB are stored, and keeps going
 * until it is killed.
 */
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config/index.js';
import { parsePath } from '../../src/core/index.js';

const [dataDir, databaseUrl, email] = process.argv.slice(2) as [string, string, string];
const app = await createApp(configSchema.parse({ dataDir, databaseUrl, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
const user = await app.users.get(email);
const principal = await app.users.principalFor(user);
let sent = 0;
const chunk = Buffer.alloc(256 * 1024, 1);
const endless = new Readable({
  read() {
    sent += chunk.length;
    if (sent === 16 * chunk.length) process.stdout.write('WRITING\n');
    setTimeout(() => this.push(chunk), sent > 16 * chunk.length ? 20 : 0);
  },
});
await app.vfs.write(principal, parsePath('/victim.bin'), endless);
