// Over real HTTP, on both databases: a user's own password change (Cloudreve V4 contract
// section 19, PATCH /user/setting with current_password and new_password; a wrong current
// password is Cloudreve's 40069, throttled with sign-ins), the list of their signed-in
// sessions with signing one or all others out (GET/DELETE /user/sessions, a Cumulus addition
// in the contract's envelope), and sign-up throttled per client address. A password change
// ends every other session at once and hands the caller a new token pair; every refusal
// changes no user and no session.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { PASSWORD, call, jwtPayload, login, useApiServer, type ApiServer, type Tokens } from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

const MY = { uri: 'cloudreve://my' };
const NEW_PASSWORD = 'a brand new passphrase';

interface SessionJson {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  user_agent?: string;
  address?: string;
  current: boolean;
}

let addressCounter = 10;
/** A client address no other request used (the throttles count per address). */
function freshAddress(): string {
  addressCounter += 1;
  return `127.2.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 2}`;
}

/** Users (their password hashes) and sessions: what a refused request must leave as it was. */
async function accounts(api: ApiServer) {
  const db = api.t.app.database.db;
  return {
    users: await db.selectFrom('users').select(['id', 'email', 'password_hash', 'updated_at']).orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').selectAll().orderBy('id').execute(),
  };
}

const sessionIdOf = (tokens: Tokens) => jwtPayload(tokens.refresh_token).root_token_id as string;

describe.each(DIALECTS)('Password change and sessions over HTTP (%s)', (dialect) => {
  /** The server's clock: tests move it past throttling windows. */
  let now = Date.now();
  const api = useApiServer(dialect, { clock: () => now });
  const unchanged = <T>(act: () => Promise<T>) => unchangedBy(() => accounts(api), act);

  const works = async (token: string) => (await call(api, 'GET', '/file', { query: MY, token })).code;
  const refresh = (tokens: Tokens) =>
    call<Tokens>(api, 'POST', '/session/token/refresh', { json: { refresh_token: tokens.refresh_token } });
  const change = (token: string, json: unknown, from = freshAddress()) =>
    call<{ token: Tokens }>(api, 'PATCH', '/user/setting', { token, json, from });

  it('changes the password: the caller gets a new pair, every other session ends at once, only the new password signs in', async () => {
    const { user } = await api.t.newUser();
    const mine = await login(api, user.email);
    const other = await login(api, user.email);
    expect(await works(other.access_token)).toBe(0);

    const changed = await change(mine.access_token, { current_password: PASSWORD, new_password: NEW_PASSWORD });
    expect(changed).toMatchObject({ code: 0, msg: '' });
    const fresh = changed.data!.token;
    expect(Object.keys(fresh).sort()).toEqual(['access_expires', 'access_token', 'refresh_expires', 'refresh_token']);
    // The same session, on a new refresh token.
    expect(sessionIdOf(fresh)).toBe(sessionIdOf(mine));
    expect(jwtPayload(fresh.refresh_token).jti).not.toBe(jwtPayload(mine.refresh_token).jti);
    expect(jwtPayload(fresh.refresh_token).state_hash).not.toBe(jwtPayload(mine.refresh_token).state_hash);

    // The caller carries on with either access token, and refreshes with the new refresh token only.
    expect(await works(mine.access_token)).toBe(0);
    expect(await works(fresh.access_token)).toBe(0);
    expect((await refresh(mine)).code).toBe(40020);
    now += 1000;
    const renewed = await refresh(fresh);
    expect(renewed.code).toBe(0);
    expect(await works(renewed.data!.access_token)).toBe(0);

    // The other session is over now, not at its next refresh.
    expect(await works(other.access_token)).toBe(401);
    expect((await refresh(other)).code).toBe(40020);

    const old = await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from: freshAddress() });
    expect(old.code).toBe(40080);
    const again = await call(api, 'POST', '/session/token', { json: { email: user.email, password: NEW_PASSWORD }, from: freshAddress() });
    expect(again.code).toBe(0);
  });

  it('a wrong current password is 40069 and changes nothing; other sessions keep working', async () => {
    const { user } = await api.t.newUser();
    const mine = await login(api, user.email);
    const other = await login(api, user.email);
    await unchanged(async () => {
      const wrong = await change(mine.access_token, { current_password: 'not my password', new_password: NEW_PASSWORD });
      expect(wrong).toMatchObject({ code: 40069, msg: expect.stringMatching(/^Incorrect password/) });
    });
    expect(await works(other.access_token)).toBe(0);
    expect((await refresh(mine)).code).toBe(0);
  });

  it('two changes at once: one wins, the other is refused (409, or 40069 once the first is done) and changes nothing', async () => {
    const { user } = await api.t.newUser();
    const mine = await login(api, user.email);
    const candidates = ['first new password', 'second new password'];
    const answers = await Promise.all(
      candidates.map((next) => change(mine.access_token, { current_password: PASSWORD, new_password: next })),
    );
    const codes = answers.map((answer) => answer.code);
    expect(codes.filter((code) => code === 0)).toHaveLength(1);
    expect([409, 40069]).toContain(codes.find((code) => code !== 0));
    const winner = codes.indexOf(0);
    const signIns = await Promise.all(
      candidates.map(
        async (password) =>
          (await call(api, 'POST', '/session/token', { json: { email: user.email, password }, from: freshAddress() })).code,
      ),
    );
    expect(signIns).toEqual(candidates.map((_, index) => (index === winner ? 0 : 40080)));
    // The winner's pair is the session's current one.
    expect((await refresh(answers[winner]!.data!.token)).code).toBe(0);
  });

  it('refuses bad input with 40001, a precise message, and no change', async () => {
    const { user } = await api.t.newUser();
    const { access_token: token } = await login(api, user.email);
    await unchanged(async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ current_password: PASSWORD, new_password: 'short' }, /at least 8 characters/],
        [{ current_password: PASSWORD, new_password: 'p'.repeat(129) }, /new_password/],
        [{ current_password: PASSWORD }, /new_password cannot be empty/],
        [{ new_password: NEW_PASSWORD }, /current_password cannot be empty/],
        [{}, /current_password cannot be empty/],
        [{ current_password: PASSWORD, new_password: 12345678 }, /new_password/],
        [{ current_password: PASSWORD, new_password: NEW_PASSWORD, nick: 'Me' }, /nick: this server changes only the password/],
        [{ language: 'en-US' }, /language: this server changes only the password/],
        [[PASSWORD, NEW_PASSWORD], /the body/],
      ];
      for (const [json, msg] of cases) {
        const refused = await change(token, json);
        expect(refused, JSON.stringify(json)).toMatchObject({ code: 40001, msg: expect.stringMatching(msg) });
      }
      expect((await call(api, 'PATCH', '/user/setting', { token })).code).toBe(40001);
      const malformed = await call(api, 'PATCH', '/user/setting', {
        token,
        body: '{"current_password":',
        headers: { 'Content-Type': 'application/json' },
      });
      expect(malformed).toMatchObject({ code: 40001, msg: expect.stringMatching(/not valid JSON/) });
    });
    // A too-short new password said nothing about the current one, so it was not counted as a failure.
    expect((await change(token, { current_password: PASSWORD, new_password: NEW_PASSWORD })).code).toBe(0);
  });

  it('needs a signed-in caller: 401 without a token, 40020 for a refresh token, and nothing changes', async () => {
    const { user } = await api.t.newUser();
    const tokens = await login(api, user.email);
    await unchanged(async () => {
      const body = { current_password: PASSWORD, new_password: NEW_PASSWORD };
      expect(await call(api, 'PATCH', '/user/setting', { json: body })).toMatchObject({ code: 401, msg: 'Login required' });
      expect((await call(api, 'PATCH', '/user/setting', { json: body, token: 'not-a-jwt' })).code).toBe(401);
      expect((await call(api, 'PATCH', '/user/setting', { json: body, token: tokens.refresh_token })).code).toBe(40020);
      for (const [method, path] of [
        ['GET', '/user/sessions'],
        ['DELETE', '/user/sessions'],
        ['DELETE', `/user/sessions/${sessionIdOf(tokens)}`],
      ] as const) {
        expect((await call(api, method, path)).code, `${method} ${path}`).toBe(401);
      }
    });
  });

  it('throttles wrong current passwords with sign-ins, per account from an address, with Retry-After; never the owner elsewhere', async () => {
    const { user } = await api.t.newUser();
    const { user: bystander } = await api.t.newUser();
    const mine = await login(api, user.email);
    const from = freshAddress();
    for (let i = 0; i < 10; i++) {
      expect((await change(mine.access_token, { current_password: `wrong ${i}`, new_password: NEW_PASSWORD }, from)).code).toBe(40069);
    }
    await unchanged(async () => {
      // Even the right password now waits, from that address...
      const blocked = await change(mine.access_token, { current_password: PASSWORD, new_password: NEW_PASSWORD }, from);
      expect(blocked).toMatchObject({ code: 429, msg: expect.stringMatching(/^Too many wrong passwords/) });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // ...and so does signing in to the account from it: one count for both.
      const signIn = await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from });
      expect(signIn.code).toBe(429);
    });
    // Another account from that address, and the owner from an address that has not failed, are not refused.
    expect((await call(api, 'POST', '/session/token', { json: { email: bystander.email, password: PASSWORD }, from })).code).toBe(0);
    expect(
      (await call(api, 'POST', '/session/token', { json: { email: user.email, password: PASSWORD }, from: freshAddress() })).code,
    ).toBe(0);
    // The session itself is not harmed.
    expect(await works(mine.access_token)).toBe(0);

    now += 5 * 60_000 + 1000;
    expect((await change(mine.access_token, { current_password: PASSWORD, new_password: NEW_PASSWORD }, from)).code).toBe(0);
  });

  it("lists the caller's live sessions with their client, newest use first, marking the caller's", async () => {
    const { user } = await api.t.newUser();
    const { user: stranger } = await api.t.newUser();
    const laptopAddress = freshAddress();
    const phoneAddress = freshAddress();
    const signIn = async (userAgent: string, from: string) => {
      const response = await call<{ token: Tokens }>(api, 'POST', '/session/token', {
        json: { email: user.email, password: PASSWORD },
        headers: { 'User-Agent': userAgent },
        from,
      });
      expect(response.code).toBe(0);
      return response.data!.token;
    };
    const laptop = await signIn('Laptop browser/1.0', laptopAddress);
    now += 1000;
    const phone = await signIn('Phone app/2.0', phoneAddress);
    now += 1000;
    const ended = await signIn('Old tablet/0.1', freshAddress());
    await call(api, 'DELETE', '/session/token', { json: { refresh_token: ended.refresh_token } });
    await login(api, stranger.email);

    const listed = await call<{ sessions: SessionJson[] }>(api, 'GET', '/user/sessions', { token: laptop.access_token });
    expect(listed.code).toBe(0);
    const sessions = listed.data!.sessions;
    // Only this user's live sessions: not the one signed out, not the stranger's.
    expect(sessions.map((session) => session.user_agent)).toEqual(['Phone app/2.0', 'Laptop browser/1.0']);
    expect(sessions[0]).toEqual({
      id: sessionIdOf(phone),
      created_at: new Date(now - 1000).toISOString(),
      last_used_at: new Date(now - 1000).toISOString(),
      expires_at: phone.refresh_expires,
      user_agent: 'Phone app/2.0',
      address: phoneAddress,
      current: false,
    });
    expect(sessions[1]).toMatchObject({ id: sessionIdOf(laptop), address: laptopAddress, current: true });

    // A refresh moves the laptop's last use forward and to the top; the phone sees itself as current.
    now += 1000;
    const renewed = (await refresh(laptop)).data!;
    const fromPhone = await call<{ sessions: SessionJson[] }>(api, 'GET', '/user/sessions', { token: phone.access_token });
    expect(fromPhone.data!.sessions.map((session) => [session.id, session.current, session.last_used_at])).toEqual([
      [sessionIdOf(laptop), false, new Date(now).toISOString()],
      [sessionIdOf(phone), true, new Date(now - 2000).toISOString()],
    ]);
    expect(renewed.access_token).toBeTruthy();
  });

  it('signs one session out by id: its tokens stop at once, the caller and the rest carry on', async () => {
    const { user } = await api.t.newUser();
    const mine = await login(api, user.email);
    const target = await login(api, user.email);
    const bystander = await login(api, user.email);

    const out = await call(api, 'DELETE', `/user/sessions/${sessionIdOf(target)}`, { token: mine.access_token });
    expect(out).toEqual(expect.objectContaining({ code: 0, msg: '' }));
    expect(out.data).toBeUndefined();
    expect(await works(target.access_token)).toBe(401);
    expect((await refresh(target)).code).toBe(40020);
    expect(await works(mine.access_token)).toBe(0);
    expect(await works(bystander.access_token)).toBe(0);
    const left = await call<{ sessions: SessionJson[] }>(api, 'GET', '/user/sessions', { token: mine.access_token });
    expect(left.data!.sessions.map((session) => session.id).sort()).toEqual([sessionIdOf(mine), sessionIdOf(bystander)].sort());
  });

  it('is 404 "Session not found" for an ended, unknown or another user\'s session, which keeps working', async () => {
    const { user } = await api.t.newUser();
    const { user: stranger } = await api.t.newUser();
    const mine = await login(api, user.email);
    const theirs = await login(api, stranger.email);
    const ended = await login(api, user.email);
    await call(api, 'DELETE', '/session/token', { json: { refresh_token: ended.refresh_token } });

    await unchanged(async () => {
      for (const id of [sessionIdOf(theirs), sessionIdOf(ended), '00000000-0000-4000-8000-000000000000', 'x', '%E2%9C%93']) {
        const refused = await call(api, 'DELETE', `/user/sessions/${id}`, { token: mine.access_token });
        expect(refused, id).toMatchObject({ code: 404, msg: 'Session not found' });
      }
    });
    expect(await works(theirs.access_token)).toBe(0);
    expect((await refresh(theirs)).code).toBe(0);
  });

  it('signs every other session out at once, keeping the caller; and a caller may sign its own session out', async () => {
    const { user } = await api.t.newUser();
    const { user: stranger } = await api.t.newUser();
    const mine = await login(api, user.email);
    const others = [await login(api, user.email), await login(api, user.email)];
    const theirs = await login(api, stranger.email);

    const out = await call(api, 'DELETE', '/user/sessions', { token: mine.access_token });
    expect(out).toMatchObject({ code: 0, msg: '' });
    for (const other of others) {
      expect(await works(other.access_token)).toBe(401);
      expect((await refresh(other)).code).toBe(40020);
    }
    expect(await works(theirs.access_token)).toBe(0);
    expect(await works(mine.access_token)).toBe(0);
    const left = await call<{ sessions: SessionJson[] }>(api, 'GET', '/user/sessions', { token: mine.access_token });
    expect(left.data!.sessions).toEqual([expect.objectContaining({ id: sessionIdOf(mine), current: true })]);
    // Nothing else to end: still fine.
    expect((await call(api, 'DELETE', '/user/sessions', { token: mine.access_token })).code).toBe(0);

    // Its own id ends the caller's session like signing out: anonymous from then on.
    expect((await call(api, 'DELETE', `/user/sessions/${sessionIdOf(mine)}`, { token: mine.access_token })).code).toBe(0);
    expect(await works(mine.access_token)).toBe(401);
    expect((await refresh(mine)).code).toBe(40020);
  });
});

describe.each(DIALECTS)('Sign-up throttling over HTTP (%s)', (dialect) => {
  let now = Date.now();
  const api = useApiServer(dialect, { clock: () => now });
  const signUp = (email: string, from: string, password = PASSWORD) => call(api, 'POST', '/user', { json: { email, password }, from });

  it('allows 10 sign-up attempts an hour per address (taken emails count), then 429 with Retry-After and nothing created', async () => {
    await api.t.app.settings.update({ registrationEnabled: true });
    const from = freshAddress();
    // Malformed attempts cost no hash and reveal nothing: not counted.
    for (let i = 0; i < 12; i++) expect((await signUp(`short${i}-${dialect}@example.test`, from, 'short')).code).toBe(40001);
    for (let i = 0; i < 8; i++) expect((await signUp(`person${i}-${dialect}@example.test`, from)).code).toBe(0);
    expect((await signUp(`person0-${dialect}@example.test`, from)).code).toBe(40032);
    expect((await signUp(`person1-${dialect}@example.test`, from)).code).toBe(40032);

    await unchangedBy(
      () => accounts(api),
      async () => {
        const blocked = await signUp(`late-${dialect}@example.test`, from);
        expect(blocked).toMatchObject({ code: 429, msg: expect.stringMatching(/^Too many sign-ups from this address/) });
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(3500);
        // Taken or not, and well-formed or not: the same 429, so nothing more is learnt.
        expect((await signUp(`person0-${dialect}@example.test`, from)).code).toBe(429);
        expect((await signUp(`short-${dialect}@example.test`, from, 'short')).code).toBe(429);
      },
    );
    // Another address is not affected; the first one is again after the hour.
    expect((await signUp(`elsewhere-${dialect}@example.test`, freshAddress())).code).toBe(0);
    now += 3600_000 + 1000;
    expect((await signUp(`late-${dialect}@example.test`, from)).code).toBe(0);
  });
});
