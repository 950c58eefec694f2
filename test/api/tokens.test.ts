// Token signing and opaque ids without HTTP: HS256 only, expiry and not-before from the
// injected clock, the claims OpenList parses (contract 5.7), and ids that round-trip.
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenSigner, decodeId, encodeId } from '../../src/auth/index.js';

const KEY = new Uint8Array(32).fill(1);

describe('TokenSigner', () => {
  it('issues access and refresh tokens that verify until they expire', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    const signer = new TokenSigner(KEY, { clock: () => now });
    const access = await signer.issueAccess({ subject: 'u1', sessionId: 's1' });
    const refresh = await signer.issueRefresh({ subject: 'u1', sessionId: 's1', tokenId: 't1', stateHash: 'h' });
    expect(access.expiresAt).toBe(Date.UTC(2026, 0, 1, 13, 0, 0));
    expect(await signer.verify(access.token)).toEqual({ type: 'access', subject: 'u1', sessionId: 's1', expiresAt: access.expiresAt });
    expect(await signer.verify(refresh.token)).toMatchObject({ type: 'refresh', tokenId: 't1', stateHash: 'h' });
    now += 3600_000;
    expect(await signer.verify(access.token)).toBeNull();
    expect(await signer.verify(refresh.token)).not.toBeNull();
    now += 14 * 24 * 3600_000;
    expect(await signer.verify(refresh.token)).toBeNull();
  });

  it('refuses other algorithms, other keys, tokens not yet valid and foreign claims', async () => {
    const now = Date.now();
    const signer = new TokenSigner(KEY, { clock: () => now });
    const seconds = Math.floor(now / 1000);
    const claims = { token_type: 'access', root_token_id: 's', sub: 'u', nbf: seconds, exp: seconds + 60 };
    const unsecured = new UnsecuredJWT(claims).encode();
    const otherKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32).fill(2));
    const hs384 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS384' }).sign(KEY);
    const future = await new SignJWT({ ...claims, nbf: seconds + 30 }).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
    const untyped = await new SignJWT({ ...claims, token_type: 'id' }).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
    const noExpiry = await new SignJWT({ token_type: 'access', root_token_id: 's', sub: 'u', nbf: seconds })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(KEY);
    for (const token of [unsecured, otherKey, hs384, future, untyped, noExpiry, '', 'a.b.c']) expect(await signer.verify(token)).toBeNull();
    const good = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
    expect(await signer.verify(good)).toMatchObject({ type: 'access' });
  });
});

describe('opaque ids', () => {
  it('round-trip, stay alphanumeric, and differ by kind', () => {
    for (const id of [0, 1, 2, 99, 123_456_789, 2 ** 40]) {
      const text = encodeId('file', id);
      expect(text).toMatch(/^[0-9A-Za-z]{1,9}$/);
      expect(decodeId('file', text)).toBe(id);
      expect(encodeId('user', id)).not.toBe(text);
    }
    expect(decodeId('file', '')).toBeNull();
    expect(decodeId('file', 'not-an-id')).toBeNull();
    expect(decodeId('file', 'zzzzzzzzz')).toBeNull();
    expect(() => encodeId('file', -1)).toThrow();
  });
});
