/**
 * Apache httpd with mod_dav / mod_dav_fs (Debian's `apache2`), started by the bench on loopback
 * with its own minimal configuration in a temporary directory: no system service, its own
 * PidFile, ErrorLog, access log, DavLockDB and runtime directory. mpm_event with Debian's
 * default sizes, Basic auth against a {SHA} password file (as cheap per request as rclone's
 * plain comparison and Cumulus's cached check), LimitRequestBody 0.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../lib.js';
import { basic, type DavServer } from '../client.js';
import { freePort, launched } from './common.js';

const APACHE = process.env.CUMULUS_BENCH_APACHE ?? '/usr/sbin/apache2';
const MODULES = process.env.CUMULUS_BENCH_APACHE_MODULES ?? '/usr/lib/apache2/modules';

export function apacheVersion(): string {
  try {
    return /Server version:\s*(.+)/.exec(execFileSync(APACHE, ['-v'], { encoding: 'utf8' }))?.[1]?.trim() ?? 'Apache httpd';
  } catch {
    throw new Error(
      `Apache httpd is needed as a peer and was not found at ${APACHE}. On Debian/Ubuntu, as root: ` +
        'apt-get update && apt-get install -y apache2 (the bench starts its own instance; no service is needed), or set CUMULUS_BENCH_APACHE',
    );
  }
}

const LOADED = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['mime_module', 'mod_mime.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
] as const;

function config(dir: string, port: number, asRoot: boolean): string {
  const p = (name: string) => path.join(dir, name);
  return [
    `ServerName 127.0.0.1`,
    `Listen 127.0.0.1:${port}`,
    ...LOADED.map(([name, file]) => `LoadModule ${name} ${path.join(MODULES, file)}`),
    // Children must not run as root; the served tree and the lock database belong to www-data.
    ...(asRoot ? ['User www-data', 'Group www-data'] : []),
    `PidFile ${p('run/httpd.pid')}`,
    `DefaultRuntimeDir ${p('run')}`,
    `Mutex file:${p('run')} default`,
    `ErrorLog ${p('error.log')}`,
    'LogLevel warn',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %O" common',
    `CustomLog ${p('access.log')} common`,
    // Debian's mods-available/mpm_event.conf and apache2.conf defaults.
    'StartServers 2',
    'MinSpareThreads 25',
    'MaxSpareThreads 75',
    'ThreadLimit 64',
    'ThreadsPerChild 25',
    'MaxRequestWorkers 150',
    'MaxConnectionsPerChild 0',
    'Timeout 300',
    'KeepAlive On',
    'MaxKeepAliveRequests 100',
    'KeepAliveTimeout 5',
    'TypesConfig /etc/mime.types',
    'LimitRequestBody 0',
    `DavLockDB ${p('lock/DavLock')}`,
    `DocumentRoot ${p('root')}`,
    `<Directory ${p('root')}>`,
    '  Dav On',
    '  Options None',
    '  AllowOverride None',
    '  AuthType Basic',
    '  AuthName "bench"',
    '  AuthBasicProvider file',
    `  AuthUserFile ${p('htpasswd')}`,
    '  Require valid-user',
    '</Directory>',
    '',
  ].join('\n');
}

export async function startApache(): Promise<DavServer> {
  const version = apacheVersion();
  const dir = tempDir('cumulus-bench-apache-');
  const asRoot = process.getuid?.() === 0;
  for (const sub of ['root', 'lock', 'run']) fs.mkdirSync(path.join(dir.path, sub));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'www-data'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'www-data'], { encoding: 'utf8' }).trim());
    fs.chmodSync(dir.path, 0o755);
    for (const sub of ['root', 'lock']) fs.chownSync(path.join(dir.path, sub), uid, gid);
  }
  const user = 'bench';
  const password = randomBytes(12).toString('base64url');
  fs.writeFileSync(path.join(dir.path, 'htpasswd'), `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`, {
    mode: 0o644,
  });
  const port = await freePort();
  const conf = path.join(dir.path, 'httpd.conf');
  fs.writeFileSync(conf, config(dir.path, port, asRoot));
  const log = path.join(dir.path, 'error.log');
  const child = spawn(APACHE, ['-f', conf, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', fs.openSync(log, 'a')] });
  return launched(
    child,
    {
      label: 'Apache',
      host: '127.0.0.1',
      port,
      prefix: '/',
      authorization: basic(user, password),
      startedAs:
        `${version}: apache2 -f CONF -DFOREGROUND; mpm_event (Debian defaults: 2+ children × 25 threads), mod_dav + mod_dav_fs,` +
        ' Basic auth ({SHA} file), access log to a file, LimitRequestBody 0',
    },
    { log, stopMs: 15_000, cleanup: () => dir.remove() },
  );
}
