import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, databaseUrlOf, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../support/databases.js';

describe('configuration', () => {
  it('has embedded defaults', () => {
    const dir = tempDir();
    const config = loadConfig({ env: {}, flags: { dataDir: dir.path } });
    expect(config.listen).toBe('0.0.0.0:5280');
    expect(config.gc).toEqual({ graceSeconds: 3600, onStart: true, intervalSeconds: 86400 });
    expect(config.jobs).toEqual({ concurrency: 2, pollMs: 1000, leaseSeconds: 60, keepDays: 14 });
    expect(databaseUrlOf(config)).toBe(`sqlite:${path.join(dir.path, 'cumulus.db')}`);
    dir.remove();
  });

  it('layers the file, then the environment, then flags', () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir.path, 'config.json'),
      JSON.stringify({ listen: '127.0.0.1:1000', logLevel: 'debug', gc: { graceSeconds: 5 } }),
    );
    const env = { CUMULUS_DATA: dir.path, CUMULUS_LISTEN: '127.0.0.1:2000', CUMULUS_DATABASE_URL: 'postgres://u@h/db' };
    expect(loadConfig({ env })).toMatchObject({
      listen: '127.0.0.1:2000',
      logLevel: 'debug',
      gc: { graceSeconds: 5, onStart: true },
      databaseUrl: 'postgres://u@h/db',
    });
    expect(loadConfig({ env, flags: { listen: '9999' } }).listen).toBe('9999');
    dir.remove();
  });

  it.each([
    [{ CUMULUS_LISTEN: 'not an address' }, 'listen: expected HOST:PORT'],
    [{ CUMULUS_DATABASE_URL: 'mysql://x' }, 'databaseUrl: expected postgres'],
    [{ CUMULUS_PUBLIC_URL: 'nope' }, 'publicUrl'],
    [{ CUMULUS_GC_GRACE_SECONDS: '-1' }, 'gc.graceSeconds'],
    [{ CUMULUS_LOG_LEVEL: 'loud' }, 'logLevel'],
  ])('names the bad key in %j', (env, message) => {
    expect(() => loadConfig({ env: { CUMULUS_DATA: '/nonexistent-cumulus', ...env } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { CUMULUS_DATA: '/nonexistent-cumulus', ...env } })).toThrow(message);
  });

  it('refuses unknown keys and broken files with the file named', () => {
    const dir = tempDir();
    const file = path.join(dir.path, 'c.json');
    writeFileSync(file, JSON.stringify({ lisen: 'typo' }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/lisen/);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ env: {}, file })).toThrow(`Config file ${file} is not valid JSON`);
    expect(() => loadConfig({ env: {}, file: path.join(dir.path, 'missing.json') })).toThrow('Cannot read config file');
    dir.remove();
  });
});
