import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkedLookup, isPrivateAddress, remoteConnectOptions } from '../../../src/services/sync/safe-address.js';
import { DavTransport } from '../../../src/storage/index.js';

describe("addresses users' remotes may reach (issue 13 item 4)", () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd12:3456::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not an address', true],
  ])('%s private: %s', (address, blocked) => {
    expect(isPrivateAddress(address)).toBe(blocked);
  });

  it('refuses IP literals at once and lets the operator reach anything', () => {
    expect(() => remoteConnectOptions('http://127.0.0.1:8080/dav', false)).toThrow(/private or loopback/);
    expect(() => remoteConnectOptions('http://[::1]/dav', false)).toThrow(/private or loopback/);
    expect(() => remoteConnectOptions('http://169.254.169.254/', false)).toThrow();
    expect(remoteConnectOptions('http://127.0.0.1:8080/dav', true)).toBeUndefined();
    expect(remoteConnectOptions('https://8.8.8.8/dav', false)).toHaveProperty('lookup');
  });

  it('checks every address a name resolves to and hands the socket the checked ones', async () => {
    const stub = (answer: { address: string; family: number }[]) => (_host: string, _o: unknown, cb: (e: null, a: typeof answer) => void) =>
      cb(null, answer);
    const ask = (lookup: ReturnType<typeof checkedLookup>, all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        lookup('remote.example', { all }, (error, address) => resolve({ error, address })),
      );
    const mixed = await ask(
      checkedLookup(
        stub([
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.5', family: 4 },
        ]),
      ),
      true,
    );
    expect(mixed.error?.code).toBe('EPRIVATEADDRESS');
    const fine = await ask(checkedLookup(stub([{ address: '93.184.216.34', family: 4 }])), false);
    expect(fine).toEqual({ error: null, address: '93.184.216.34' });
  });

  it('a real connection to a name that resolves to loopback is refused before any byte is sent', async () => {
    let reached = 0;
    const server = createServer((_req, res) => {
      reached++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://localhost:${(server.address() as AddressInfo).port}/`);
    try {
      const guarded = new DavTransport(url, {}, undefined, remoteConnectOptions(url.href, false));
      await expect(guarded.send({ method: 'PROPFIND', url, doing: 'listing' })).rejects.toThrow(/private or loopback/);
      await guarded.close();
      expect(reached).toBe(0);
      const operator = new DavTransport(url, {}, undefined, remoteConnectOptions(url.href, true));
      await (await operator.send({ method: 'GET', url, doing: 'reading' })).body.text();
      await operator.close();
      expect(reached).toBe(1);
    } finally {
      server.close();
    }
  });
});
