// Over real HTTP, on both databases: signing in, refreshing and signing out (Cloudreve V4
// contract section 5, checklist items 1 to 5). Tokens are HS256 JWTs signed with the key in
// the data directory; a refresh replaces the session's one valid refresh token, and a
// replaced one coming back ends the whole session. Tokens that do not verify make the caller
// anonymous (401 only where a user is needed); a refresh token used as an access token is
// 40020; code 401 is never the answer to a signed-in caller.
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DIALECTS, tempDir } from '../support/databases.js';
import { PASSWORD, call, jwtPayload, login, startApiServer, useApiServer, type Tokens } from '../support/api-server.js';

const MY = { uri: 'cloudreve://my' };

describe.each(DIALECTS)('API sessions over HTTP (%s)', (dialect) => {
  /** The server's clock: tests move it to expire tokens and throttling windows. */
  let now = Date.now();
  const api = useApiServer(dialect, { clock: () => now });

  let addressCounter = 10;
  /** A client address no other test has used (the throttle counts failures per address). */
  const freshAddress = () => `127.0.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 2}`;

  it('answers every error on HTTP 200 with the envelope; 401 "Login required" without a token (checklist 1, 2)', async () => {
    const ping = await call(api, 'GET', '/site/ping');
    expect(ping).toMatchObject({ status: 200, code: 0, msg: '', data: '0.1.0' });
    const anonymous = await call(api, 'GET', '/file', { query: MY });
    expect(anonymous).toMatchObject({ status: 200, code: 401, msg: 'Login required' });
    expect(anonymous.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(api, 'GET', '/user/capacity')).code).toBe(401);
  });

  it('signs in the way OpenList does and hands out decodable tokens (checklist 3)', async () => {
    const { user } = await api.t.newUser();
    const config = await call<Record<string, unknown>>(api, 'GET', '/site/config/login');
    expect(config.code).toBe(0);
    expect(config.data?.login_captcha ?? false).toBe(false);
    // OpenList does not URL-encode the email.
    const prepare = await call(api, 'GET', `/session/prepare?email=${user.email}`);
    expect(prepare.data).toEqual({ webauthn_enabled: false, password_enabled: true });

    const response = await call<{ user: Record<string, unknown>; token: Tokens }>(api, 'POST', '/session/token', {
      json: { email: user.email, password: PASSWORD },
      headers: { 'User-Agent': 'OpenList/425.6.30' },
    });
    expect(response.code).toBe(0);
    expect(response.msg).toBe('');
    const { token, user: shown } = response.data!;
    expect(shown).toMatchObject({ email: user.email, nickname: user.displayName, status: 'active', group: { name: 'User' } });
    expect(shown.id).toMatch(/^[0-9A-Za-z]+$/);
    expect(new Date(token.access_expires).getTime()).toBe(Math.floor(now / 1000) * 1000 + 3600_000);
    expect(new Date(token.refresh_expires).getTime()).toBe(Math.floor(now / 1000) * 1000 + 14 * 24 * 3600_000);

    const access = jwtPayload(token.access_token);
    const refresh = jwtPayload(token.refresh_token);
    expect(access).toMatchObject({ token_type: 'access', sub: shown.id });
    expect(refresh).toMatchObject({ token_type: 'refresh', sub: shown.id });
    for (const payload of [access, refresh]) {
      expect(Number.isInteger(payload.exp)).toBe(true);
      expect(Number.isInteger(payload.nbf)).toBe(true);
    }
    expect(typeof refresh.state_hash).toBe('string');
    expect(typeof refresh.root_token_id).toBe('string');
    expect(JSON.parse(Buffer.from(token.access_token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });

    const listed = await call(api, 'GET', '/file', { query: MY, token: token.access_token });
    expect(listed.code).toBe(0);
    const basic = await call<{ user: { id: string } }>(api, 'GET', '/site/config/basic', { token: token.access_token });
    expect(basic.data?.user.id).toBe(shown.id);
    const anonymousBasic = await call<{ user: { anonymous: boolean } }>(api, 'GET', '/site/config/basic');
    expect(anonymousBasic.data?.user.anonymous).toBe(true);
  });

  it('a wrong password or unknown email is 40080, never 401; bad input is 40001', async () => {
    const { user } = await api.t.newUser();
    const from = freshAddress();
    const wrong = await call(api, 'POST', '/session/token', { json: { email: user.email, password: 'not the password' }, from });
    expect(wrong).toMatchObject({ code: 40080, msg: 'Incorrect password or email address' });
    const unknown = await call(api, 'POST', '/session/token', { json: { email: 'nobody@example.test', password: 'whatever1' }, from });
    expect(unknown).toMatchObject({ code: 40080, msg: 'Incorrect password or email address' });
    // The prepare step does not tell which accounts exist either.
    expect((await call(api, 'GET', '/session/prepare', { query: { email: 'nobody@example.test' } })).data).toEqual({
      webauthn_enabled: false,
      password_enabled: true,
    });

    expect((await call(api, 'GET', '/session/prepare', { query: { email: 'not-an-email' } })).code).toBe(40001);
    expect((await call(api, 'GET', '/session/prepare')).msg).toMatch(/email cannot be empty/);
    const badEmail = await call(api, 'POST', '/session/token', { json: { email: 'nope', password: PASSWORD }, from });
    expect(badEmail).toMatchObject({ code: 40001, msg: expect.stringMatching(/Email format error/) });
    const wrongType = await call(api, 'POST', '/session/token', { json: { email: user.email, password: 12345678 }, from });
    expect(wrongType.code).toBe(40001);
    const malformed = await call(api, 'POST', '/session/token', {
      body: '{"email":',
      headers: { 'Content-Type': 'application/json' },
      from,
    });
    expect(malformed).toMatchObject({ code: 40001, msg: expect.stringMatching(/not valid JSON/) });
    const noBody = await call(api, 'POST', '/session/token', { from });
    expect(noBody.code).toBe(40001);
    const notJson = await call(api, 'POST', '/session/token', { body: 'email=x', headers: { 'Content-Type': 'text/plain' }, from });
    expect(notJson).toMatchObject({ code: 40001, msg: expect.stringMatching(/Content-Type: application\/json/) });
  });

  it('a disabled account gets 40017 with the right password, and its tokens stop working', async () => {
    const { user } = await api.t.newUser();
    const tokens = await login(api, user.email);
    await api.t.app.users.setStatus(user.id, 'disabled');
    now += 5000; // past the short cache of checked tokens
    const response = await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from: freshAddress() });
    expect(response.code).toBe(40017);
    expect((await call(api, 'GET', '/file', { query: MY, token: tokens.access_token })).code).toBe(401);
    expect((await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: tokens.refresh_token } })).code).toBe(40020);
  });

  it('throttles failed sign-ins per account from an address and per address, never the owner from elsewhere, until the window passes', async () => {
    const { user } = await api.t.newUser();
    const { user: other } = await api.t.newUser();
    const from = freshAddress();
    for (let i = 0; i < 10; i++) {
      const failed = await call(api, 'POST', '/session/token', { json: { email: user.email, password: `wrong ${i}` }, from });
      expect(failed.code).toBe(40080);
    }
    // The account from that address waits, even with the right password.
    const blocked = await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from });
    expect(blocked).toMatchObject({ code: 429, msg: expect.stringMatching(/Too many failed sign-in attempts/) });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Its owner, from an address that has not failed, is never refused.
    expect(
      (await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from: freshAddress() })).code,
    ).toBe(0);
    // The address is throttled too, for any account, after 30 failures.
    for (let i = 0; i < 20; i++) {
      const failed = await call(api, 'POST', '/session/token', { json: { email: `nobody${i}@example.test`, password: 'wrong' }, from });
      expect(failed.code).toBe(40080);
    }
    const sameAddress = await call(api, 'POST', '/session/token', { json: { email: other.email, password: PASSWORD }, from });
    expect(sameAddress.code).toBe(429);
    // Another account from another address is not affected.
    expect(
      (await call(api, 'POST', '/session/token', { json: { email: other.email, password: PASSWORD }, from: freshAddress() })).code,
    ).toBe(0);

    now += 5 * 60_000 + 1000;
    expect((await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from })).code).toBe(0);
  });

  it('two refreshes at once with one token both get pairs; the replaced token counts as reuse once the grace period is over', async () => {
    const { user } = await api.t.newUser();
    const first = await login(api, user.email);
    now += 1000;
    const refresh = (token: string) => call<Tokens>(api, 'POST', '/session/token/refresh', { json: { refresh_token: token } });
    const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    for (const pair of [a.data!, b.data!]) expect((await call(api, 'GET', '/file', { query: MY, token: pair.access_token })).code).toBe(0);
    // Both pairs carry the current refresh token: either client refreshes on.
    expect(jwtPayload(a.data!.refresh_token).jti).toBe(jwtPayload(b.data!.refresh_token).jti);
    now += 1000;
    const next = await refresh(a.data!.refresh_token);
    expect(next.code).toBe(0);

    // Past the grace period, the replaced token is reuse again, and ends the session.
    now += 61_000;
    expect((await refresh(b.data!.refresh_token)).code).toBe(40020);
    expect((await call(api, 'GET', '/file', { query: MY, token: next.data!.access_token })).code).toBe(401);
  });

  it('refresh answers a bare token pair and rotates: the old refresh token is then reuse and ends the session (checklist 4)', async () => {
    const { user } = await api.t.newUser();
    const first = await login(api, user.email);
    now += 1000; // new tokens get new times
    const refreshed = await call<Tokens>(api, 'POST', '/session/token/refresh', {
      json: { refresh_token: first.refresh_token },
      token: first.access_token,
    });
    expect(refreshed.code).toBe(0);
    const second = refreshed.data!;
    expect(Object.keys(second).sort()).toEqual(['access_expires', 'access_token', 'refresh_expires', 'refresh_token']);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(jwtPayload(second.refresh_token).root_token_id).toBe(jwtPayload(first.refresh_token).root_token_id);
    expect((await call(api, 'GET', '/file', { query: MY, token: second.access_token })).code).toBe(0);

    // The same family refreshes again with its current token...
    now += 1000;
    const third = (await call<Tokens>(api, 'POST', '/session/token/refresh', { json: { refresh_token: second.refresh_token } })).data!;
    expect(third.access_token).toBeTruthy();

    // ...but a replaced token coming back revokes everything the family issued.
    const reused = await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: first.refresh_token } });
    expect(reused).toMatchObject({ code: 40020, msg: expect.stringMatching(/already used/) });
    expect((await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: third.refresh_token } })).code).toBe(40020);
    expect((await call(api, 'GET', '/file', { query: MY, token: third.access_token })).code).toBe(401);
    expect((await call(api, 'GET', '/file', { query: MY, token: first.access_token })).code).toBe(401);

    // Other sessions of the same user are untouched.
    const other = await login(api, user.email);
    expect((await call(api, 'GET', '/file', { query: MY, token: other.access_token })).code).toBe(0);

    for (const garbage of ['garbage', 'a.b.c', first.access_token]) {
      const response = await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: garbage } });
      expect(response).toMatchObject({ code: 40020, msg: expect.stringMatching(/^Failed to issue token pair/) });
    }
    expect((await call(api, 'POST', '/session/token/refresh', { json: {} })).code).toBe(40001);
  });

  it("an administrator's password reset (API or CLI: one service call) ends the user's sessions at once", async () => {
    const { user } = await api.t.newUser();
    const tokens = await login(api, user.email);
    await api.t.app.users.setPassword(user.id, 'another long password');
    expect((await call(api, 'GET', '/file', { query: MY, token: tokens.access_token })).code).toBe(401);
    const response = await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: tokens.refresh_token } });
    expect(response).toMatchObject({ code: 40020, msg: expect.stringMatching(/session has ended/) });
  });

  it('sign-out ends the session: its refresh token and its access tokens stop working', async () => {
    const { user } = await api.t.newUser();
    const tokens = await login(api, user.email);
    expect((await call(api, 'GET', '/file', { query: MY, token: tokens.access_token })).code).toBe(0);
    const out = await call(api, 'DELETE', '/session/token', { json: { refresh_token: tokens.refresh_token }, token: tokens.access_token });
    expect(out).toMatchObject({ code: 0, msg: '', data: '' });
    expect((await call(api, 'GET', '/file', { query: MY, token: tokens.access_token })).code).toBe(401);
    expect((await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: tokens.refresh_token } })).code).toBe(40020);
    // Signing out twice is fine; a token that is not ours is not.
    expect((await call(api, 'DELETE', '/session/token', { json: { refresh_token: tokens.refresh_token } })).code).toBe(0);
    expect((await call(api, 'DELETE', '/session/token', { json: { refresh_token: 'x.y.z' } })).code).toBe(40020);
  });

  it('tampered, alg-none, wrong-key and expired tokens leave the caller anonymous; a refresh token as Bearer is 40020 (checklist 5)', async () => {
    const { user } = await api.t.newUser();
    const tokens = await login(api, user.email);
    const [header, payload, signature] = tokens.access_token.split('.') as [string, string, string];
    const claims = jwtPayload(tokens.access_token);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    const tampered = `${header}.${encode({ ...claims, sub: 'AAAAAAA' })}.${signature}`;
    const algNone = `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const algNoneSigned = `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`;
    const wrongKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new Uint8Array(32).fill(7));
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .sign(Buffer.from(readFileSync(path.join(api.t.dataDir, 'secrets', 'jwt.key'), 'utf8').trim(), 'base64'));
    for (const token of [tampered, algNone, algNoneSigned, wrongKey, hs512, 'not-a-jwt']) {
      // Anonymous where no user is needed...
      expect((await call(api, 'GET', '/site/config/basic', { token })).data).toMatchObject({ user: { anonymous: true } });
      // ...and 401 where one is.
      expect((await call(api, 'GET', '/file', { query: MY, token })).code).toBe(401);
      expect((await call(api, 'GET', '/user/capacity', { token })).code).toBe(401);
    }

    const asAccess = await call(api, 'GET', '/file', { query: MY, token: tokens.refresh_token });
    expect(asAccess).toMatchObject({ code: 40020, msg: expect.stringMatching(/Invalid token type/) });

    now += 3601_000;
    expect((await call(api, 'GET', '/file', { query: MY, token: tokens.access_token })).code).toBe(401);
    // The refresh token outlives it and brings a working pair.
    const renewed = await call<Tokens>(api, 'POST', '/session/token/refresh', { json: { refresh_token: tokens.refresh_token } });
    expect(renewed.code).toBe(0);
    expect((await call(api, 'GET', '/file', { query: MY, token: renewed.data!.access_token })).code).toBe(0);
    now += 15 * 24 * 3600_000;
    expect((await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: renewed.data!.refresh_token } })).code).toBe(40020);
  });

  it('keeps the signing key in DATA/secrets/jwt.key (0600); another node on the same data directory accepts the tokens', async () => {
    const file = path.join(api.t.dataDir, 'secrets', 'jwt.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const { user } = await api.t.newUser();
    const tokens = await login(api, user.email);
    const second = await api.t.reopen({ clock: () => now });
    const auth = await second.sessions.authenticate(tokens.access_token);
    expect(auth?.user.id).toBe(user.id);
  });
});

describe('API signing key from the configuration', () => {
  it('signs with the configured file instead of generating one', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir.path, 'key');
    const key = Buffer.alloc(32, 3);
    writeFileSync(keyFile, key.toString('base64'));
    const api = await startApiServer('sqlite', { config: { auth: { jwtSecretFile: keyFile } } });
    try {
      const { user } = await api.t.newUser();
      const tokens = await login(api, user.email);
      const { jwtVerify } = await import('jose');
      await expect(jwtVerify(tokens.access_token, key)).resolves.toBeTruthy();
      expect(() => statSync(path.join(api.t.dataDir, 'secrets', 'jwt.key'))).toThrow();
    } finally {
      await api.close();
      dir.remove();
    }
  });
});
