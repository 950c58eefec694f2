import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { Agent, request } from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlainHttpPasswordRequest, WarnedAddresses } from '../../src/http/plain-http-warning.js';
import { ensureSelfSignedCertificate, makeSelfSignedCertificate } from '../../src/http/self-signed.js';
import { readTlsPair } from '../../src/http/tls.js';
import { cumulus, serveCumulus, type ServedCumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  fingerprint: string;
  socket: TLSSocket;
}

/** GET over HTTPS, trusting only `ca`: the certificate must verify for localhost. */
function httpsGet(url: string, ca: string, agent: Agent | false = false): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    request(url, { ca, agent }, (response) => {
      const socket = response.socket as TLSSocket;
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, fingerprint, socket }));
    })
      .on('error', reject)
      .end();
  });
}

const fingerprintOf = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
const printedFingerprint = (server: ServedCumulus) => /SHA-256 fingerprint: ([0-9A-F:]+)/.exec(server.stdout())?.[1];

/** A certificate for localhost and its key, as an operator would bring them. */
async function makeCertificate(folder: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(folder, `${name}.crt`);
  const key = path.join(folder, `${name}.key`);
  await makeSelfSignedCertificate({ keyFile: key, certFile: cert, commonName: name, altNames: 'DNS:localhost', days: 2 });
  return { cert, key };
}

/** Points `link` at `target` in one step, the way certbot renews (a new symlink renamed over the old). */
function swapSymlink(link: string, target: string): void {
  const next = `${link}.next`;
  symlinkSync(target, next);
  renameSync(next, link);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('HTTPS served directly', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('--tls self-signed: makes a certificate once, prints its fingerprint, serves HTTPS with HSTS, and reuses it', async () => {
    const data = path.join(dir.path, 'self-signed');
    const certFile = path.join(data, 'secrets', 'tls-self-signed', 'cert.pem');
    const keyFile = path.join(data, 'secrets', 'tls-self-signed', 'key.pem');
    const first = await serveCumulus(data, { https: true, args: ['--tls', 'self-signed'] });
    try {
      const ca = readFileSync(certFile, 'utf8');
      expect(printedFingerprint(first)).toBe(fingerprintOf(certFile));
      expect(first.stdout()).toContain('made now');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const answer = await httpsGet(`${first.url}/api/v4/site/ping`, ca);
      expect(answer.status).toBe(200);
      expect(answer.fingerprint).toBe(fingerprintOf(certFile));
      expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
      // curl, as a LAN user would check it.
      const curl = execFileSync('curl', ['-sS', '--cacert', certFile, `${first.url}/api/v4/site/ping`], { encoding: 'utf8' });
      expect(JSON.parse(curl)).toMatchObject({ code: 0 });
    } finally {
      await first.stop();
    }

    const before = fingerprintOf(certFile);
    const second = await serveCumulus(data, { https: true, args: ['--tls', 'self-signed'] });
    try {
      expect(second.stdout()).toContain('kept from before');
      expect(printedFingerprint(second)).toBe(before);
      expect(fingerprintOf(certFile)).toBe(before);
      expect((await httpsGet(`${second.url}/api/v4/site/ping`, readFileSync(certFile, 'utf8'))).fingerprint).toBe(before);
    } finally {
      await second.stop();
    }
  }, 300_000);

  it('--tls-cert/--tls-key: a renewed pair is served to new connections, a half-renewed one is refused, open connections keep working', async () => {
    const certs = path.join(dir.path, 'certs');
    mkdirSync(certs);
    const one = await makeCertificate(certs, 'one');
    const two = await makeCertificate(certs, 'two');
    const ca = readFileSync(one.cert, 'utf8') + readFileSync(two.cert, 'utf8');
    const live = { cert: path.join(certs, 'live.crt'), key: path.join(certs, 'live.key') };
    symlinkSync(one.cert, live.cert);
    symlinkSync(one.key, live.key);

    const server = await serveCumulus(path.join(dir.path, 'files'), {
      https: true,
      args: ['--tls-cert', live.cert, '--tls-key', live.key],
    });
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const opened = await httpsGet(`${server.url}/api/v4/site/ping`, ca, keepAlive);
      expect(opened.fingerprint).toBe(fingerprintOf(one.cert));
      expect(opened.headers['strict-transport-security']).toBe('max-age=31536000');

      // Half renewed: the new certificate with the old key does not load; the old pair stays.
      swapSymlink(live.cert, two.cert);
      await until(
        async () => (server.logs().some((line) => line.level === 40 && String(line.msg).includes('does not load')) ? true : undefined),
        'the warning about the mismatched pair',
      );
      expect((await httpsGet(`${server.url}/api/v4/site/ping`, ca)).fingerprint).toBe(fingerprintOf(one.cert));

      swapSymlink(live.key, two.key);
      await until(async () => {
        const answer = await httpsGet(`${server.url}/api/v4/site/ping`, ca);
        return answer.fingerprint === fingerprintOf(two.cert) ? answer : undefined;
      }, 'the renewed certificate');

      // The connection opened before the renewal is the same one, still on the old certificate, and still answers.
      const again = await httpsGet(`${server.url}/api/v4/site/ping`, ca, keepAlive);
      expect(again.status).toBe(200);
      expect(again.socket).toBe(opened.socket);
      expect(again.fingerprint).toBe(fingerprintOf(one.cert));
    } finally {
      keepAlive.destroy();
      await server.stop();
    }
  }, 300_000);

  it("refuses to start (exit 2, one readable line) with half a TLS configuration, an unknown --tls mode or a key that is not the certificate's", async () => {
    const certs = path.join(dir.path, 'bad');
    mkdirSync(certs);
    const one = await makeCertificate(certs, 'one');
    const two = await makeCertificate(certs, 'two');
    const data = path.join(dir.path, 'bad-data');
    const cases: Array<[string[], string]> = [
      [['--tls-cert', one.cert], 'tls.cert and tls.key go together'],
      [['--tls', 'yes'], "--tls accepts only 'self-signed'"],
      [['--tls', 'self-signed', '--tls-cert', one.cert, '--tls-key', one.key], 'exclude each other'],
      [['--tls-cert', one.cert, '--tls-key', two.key], `Cannot use TLS certificate ${one.cert} with key ${two.key}`],
    ];
    for (const [args, message] of cases) {
      const result = cumulus(['serve', '--data', data, '--listen', '127.0.0.1:0', '--workers', '1', ...args]);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toContain(message);
    }
    // The same from the environment.
    for (const [env, message] of [
      [{ CUMULUS_TLS_KEY: one.key }, 'tls.cert and tls.key go together'],
      [{ CUMULUS_TLS_CERT: two.cert, CUMULUS_TLS_KEY: one.key }, `Cannot use TLS certificate ${two.cert} with key ${one.key}`],
    ] as const) {
      const result = cumulus(['serve', '--data', data, '--listen', '127.0.0.1:0', '--workers', '1'], env);
      expect({ env, status: result.status }).toEqual({ env, status: 2 });
      expect(result.stderr).toContain(message);
    }
  }, 300_000);

  it('--workers 2 with --tls self-signed: every worker serves HTTPS; the certificate is made and printed once', async () => {
    const data = path.join(dir.path, 'workers');
    const certFile = path.join(data, 'secrets', 'tls-self-signed', 'cert.pem');
    const server = await serveCumulus(data, { workers: 2, https: true, args: ['--tls', 'self-signed'] });
    try {
      const ca = readFileSync(certFile, 'utf8');
      await until(
        async () => (server.logs().filter((line) => line.msg === 'worker listening').length >= 2 ? true : undefined),
        'both workers listening',
        180_000,
      );
      for (let i = 0; i < 8; i++) {
        const answer = await httpsGet(`${server.url}/api/v4/site/ping`, ca);
        expect(answer.status).toBe(200);
        expect(answer.fingerprint).toBe(fingerprintOf(certFile));
      }
      expect(server.stdout().match(/SHA-256 fingerprint/g)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  }, 300_000);

  it('plain HTTP: no HSTS; a password request from another address is warned about once per address, not from loopback or behind TLS', async () => {
    const server = await serveCumulus(path.join(dir.path, 'plain'), { env: { CUMULUS_TRUST_PROXY: '127.0.0.1' } });
    try {
      const warnings = () => server.logs().filter((line) => line.level === 40 && String(line.msg).includes('unencrypted'));
      const propfind = (headers: Record<string, string> = {}) =>
        fetch(`${server.url}/dav/`, { method: 'PROPFIND', headers: { Depth: '0', Authorization: 'Basic eDp5', ...headers } });

      const local = await propfind();
      expect(local.headers.get('strict-transport-security')).toBeNull();
      // From a proxy that terminated TLS for a remote client: nothing crossed the network in clear.
      await propfind({ 'X-Forwarded-For': '198.51.100.7', 'X-Forwarded-Proto': 'https' });
      await fetch(`${server.url}/api/v4/site/ping`, { headers: { 'X-Forwarded-For': '198.51.100.8' } });
      // Two password requests from one remote address over plain HTTP, then one from another.
      await propfind({ 'X-Forwarded-For': '203.0.113.5' });
      await propfind({ 'X-Forwarded-For': '203.0.113.5' });
      await fetch(`${server.url}/api/v4/session/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.6' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
      });
      // Share passwords: on the share page, to share/info, inside a share URI; not a share without one.
      const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
      await fetch(`${server.url}/s/AbC1/page-secret-7`, from('203.0.113.7'));
      await fetch(`${server.url}/api/v4/share/info/AbC1?password=info-secret-8`, from('203.0.113.8'));
      await fetch(`${server.url}/api/v4/file?uri=${encodeURIComponent('cloudreve://AbC1:uri-secret-9@share/')}`, from('203.0.113.9'));
      await fetch(`${server.url}/s/AbC1`, from('203.0.113.10'));
      await fetch(`${server.url}/api/v4/share/info/AbC1`, from('203.0.113.10'));
      await fetch(`${server.url}/api/v4/file?uri=${encodeURIComponent('cloudreve://AbC1@share/')}`, from('203.0.113.10'));
      await until(async () => (warnings().length >= 5 ? true : undefined), 'the warnings');
      expect(warnings().map((line) => line.address)).toEqual(['203.0.113.5', '203.0.113.6', '203.0.113.7', '203.0.113.8', '203.0.113.9']);
      expect(warnings().find((line) => line.address === '203.0.113.7')?.url).toBe('/s/AbC1/~');
      const logged = JSON.stringify(server.logs());
      for (const secret of ['page-secret-7', 'info-secret-8', 'uri-secret-9']) expect(logged).not.toContain(secret);
    } finally {
      await server.stop();
    }
  }, 300_000);
});

describe('the self-signed certificate', () => {
  it('made by several starts at once: one pair wins, every start uses it, and nothing is left behind', async () => {
    const dir = tempDir();
    try {
      for (let round = 0; round < 3; round++) {
        const data = path.join(dir.path, `round-${round}`);
        const results = await Promise.all([1, 2, 3].map(() => ensureSelfSignedCertificate(data)));
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => result.certFile)).size).toBe(1);
        // The key matches the certificate: never one process's key with another's certificate.
        expect(() => readTlsPair(results[0]!)).not.toThrow();
        expect(readdirSync(path.join(data, 'secrets')).sort()).toEqual(['tls-self-signed']);
        expect(readdirSync(path.join(data, 'secrets', 'tls-self-signed')).sort()).toEqual(['cert.pem', 'key.pem']);
      }
    } finally {
      dir.remove();
    }
  }, 120_000);
});

describe('the plain-HTTP password warning', () => {
  it.each([
    { url: '/dav/file.txt', protocol: 'http', ip: '192.168.1.20', warn: true },
    { url: '/dav', protocol: 'http', ip: '10.0.0.3', warn: true },
    { url: '/api/v4/session/token', protocol: 'http', ip: '2001:db8::1', warn: true },
    { url: '/api/v4/session/token?x=1', protocol: 'http', ip: '::ffff:192.168.1.20', warn: true },
    { url: '/dav/file.txt', protocol: 'https', ip: '192.168.1.20', warn: false },
    { url: '/dav/file.txt', protocol: 'http', ip: '127.0.0.1', warn: false },
    { url: '/dav/file.txt', protocol: 'http', ip: '127.8.9.10', warn: false },
    { url: '/dav/file.txt', protocol: 'http', ip: '::1', warn: false },
    { url: '/dav/file.txt', protocol: 'http', ip: '::ffff:127.0.0.1', warn: false },
    { url: '/api/v4/site/ping', protocol: 'http', ip: '192.168.1.20', warn: false },
    { url: '/davx', protocol: 'http', ip: '192.168.1.20', warn: false },
    { url: '/', protocol: 'http', ip: '192.168.1.20', warn: false },
    { url: '/s/AbC1/secret', protocol: 'http', ip: '192.168.1.20', warn: true },
    { url: '/s/AbC1/secret', protocol: 'https', ip: '192.168.1.20', warn: false },
    { url: '/s/AbC1/secret', protocol: 'http', ip: '127.0.0.1', warn: false },
    { url: '/s/AbC1', protocol: 'http', ip: '192.168.1.20', warn: false },
    { url: '/api/v4/share/info/AbC1?password=secret', protocol: 'http', ip: '192.168.1.20', warn: true },
    { url: '/api/v4/share/info/AbC1?password=', protocol: 'http', ip: '192.168.1.20', warn: false },
    { url: '/api/v4/share/info/AbC1', protocol: 'http', ip: '192.168.1.20', warn: false },
    { url: '/api/v4/file?uri=cloudreve%3A%2F%2FAbC1%3Asecret%40share%2Fdocs', protocol: 'http', ip: '10.0.0.3', warn: true },
    { url: '/api/v4/file/content?uri=cloudreve://AbC1:secret@share/a.txt', protocol: 'http', ip: '10.0.0.3', warn: true },
    { url: '/api/v4/file?uri=cloudreve%3A%2F%2FAbC1%40share%2Fdocs', protocol: 'http', ip: '10.0.0.3', warn: false },
    { url: '/api/v4/file?uri=cloudreve%3A%2F%2Fmy%2Fdocs', protocol: 'http', ip: '10.0.0.3', warn: false },
  ])('$url over $protocol from $ip: warn $warn', ({ warn, ...request }) => {
    expect(isPlainHttpPasswordRequest(request)).toBe(warn);
  });

  it('remembers each address once, and at most the bound (the oldest is forgotten)', () => {
    const warned = new WarnedAddresses(3);
    expect(['a', 'b', 'a', 'c', 'b'].map((address) => warned.firstTime(address))).toEqual([true, true, false, true, false]);
    expect(warned.firstTime('d')).toBe(true); // forgets 'a'
    expect(warned.firstTime('a')).toBe(true);
    expect(warned.firstTime('d')).toBe(false);
  });
});
