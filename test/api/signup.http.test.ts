// Over real HTTP, on both databases: signing up with POST /user (Cloudreve V4 contract section
// 19, Cloudreve's UserRegisterService) while the administrator allows it. Off (the default) it
// is 40019 "This feature is not enabled" and /site/config/login leaves register_enabled out;
// on, a new user lands in the User group and can sign in. Every refusal creates nothing.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { PASSWORD, call, login, useApiServer } from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

interface UserJson {
  id: string;
  email: string;
  nickname: string;
  status: string;
  created_at: string;
  group: { id: string; name: string };
}

describe.each(DIALECTS)('Sign-up over HTTP (%s)', (dialect) => {
  const api = useApiServer(dialect);

  async function accounts() {
    const db = api.t.app.database.db;
    return {
      users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
      entries: await db.selectFrom('entries').select(['id', 'owner_id']).orderBy('id').execute(),
    };
  }

  /** Runs requests and asserts that no user (nor any root folder) was created or changed. */
  const nothingCreated = <T>(act: () => Promise<T>) => unchangedBy(accounts, act);

  const signUp = (json: unknown) => call<UserJson>(api, 'POST', '/user', { json });

  it('is refused with 40019 while registration is off (the default), and the login config does not offer it', async () => {
    expect((await api.t.app.settings.switches()).registrationEnabled).toBe(false);
    const config = await call<Record<string, unknown>>(api, 'GET', '/site/config/login');
    expect(config.data).not.toHaveProperty('register_enabled');
    await nothingCreated(async () => {
      const refused = await signUp({ email: `off-${dialect}@example.test`, password: PASSWORD });
      expect(refused).toMatchObject({ status: 200, code: 40019, msg: expect.stringMatching(/^This feature is not enabled/) });
      // Before the body is read, as Cloudreve's middleware answers.
      expect((await signUp({ email: 'not-an-email' })).code).toBe(40019);
    });
  });

  it('while on, creates an active user in the User group who can then sign in and use their own space', async () => {
    await api.t.app.settings.update({ registrationEnabled: true });
    try {
      const config = await call<Record<string, unknown>>(api, 'GET', '/site/config/login');
      expect(config.data).toMatchObject({ register_enabled: true });

      const created = await signUp({ email: `New.Person-${dialect}@Example.test`, password: PASSWORD, language: 'en-US' });
      expect(created).toMatchObject({ code: 0, msg: '' });
      const email = `new.person-${dialect}@example.test`;
      expect(created.data).toMatchObject({ email, nickname: `new.person-${dialect}`, status: 'active', group: { name: 'User' } });
      expect(created.data!.id).toMatch(/^[0-9A-Za-z]+$/);
      const stored = await api.t.app.users.get(email);
      expect((await api.t.app.users.groupOf(stored)).name).toBe('User');

      const tokens = await login(api, email);
      const listed = await call<{ files: unknown[] }>(api, 'GET', '/file', {
        token: tokens.access_token,
        query: { uri: 'cloudreve://my' },
      });
      expect(listed).toMatchObject({ code: 0, data: { files: [] } });

      // The same address again, in any case: 40032 "Email already in use" (Cloudreve's code).
      await nothingCreated(async () => {
        const again = await signUp({ email: email.toUpperCase(), password: 'another password' });
        expect(again).toMatchObject({ code: 40032, msg: expect.stringMatching(/already exists/) });
      });
    } finally {
      await api.t.app.settings.update({ registrationEnabled: false });
    }
  });

  it('refuses bad input with 40001 and creates nothing', async () => {
    await api.t.app.settings.update({ registrationEnabled: true });
    try {
      await nothingCreated(async () => {
        const cases: Array<[unknown, RegExp]> = [
          [{ email: 'not-an-email', password: PASSWORD }, /Email format error/],
          [{ password: PASSWORD }, /email cannot be empty/],
          [{ email: `short-${dialect}@example.test`, password: 'short' }, /at least 8 characters/],
          [{ email: `long-${dialect}@example.test`, password: 'p'.repeat(129) }, /password/],
          [{ email: `empty-${dialect}@example.test` }, /password cannot be empty/],
          [{ email: `typed-${dialect}@example.test`, password: 12345678 }, /password/],
        ];
        for (const [json, msg] of cases) {
          const refused = await signUp(json);
          expect(refused, JSON.stringify(json)).toMatchObject({ code: 40001, msg: expect.stringMatching(msg) });
        }
        expect((await call(api, 'POST', '/user')).code).toBe(40001);
        expect((await call(api, 'POST', '/user', { body: '{"email":', headers: { 'Content-Type': 'application/json' } })).code).toBe(40001);
      });
    } finally {
      await api.t.app.settings.update({ registrationEnabled: false });
    }
  });

  it('turned off again, it is refused at once', async () => {
    await api.t.app.settings.update({ registrationEnabled: true });
    await api.t.app.settings.update({ registrationEnabled: false });
    await nothingCreated(async () => {
      expect((await signUp({ email: `late-${dialect}@example.test`, password: PASSWORD })).code).toBe(40019);
    });
  });
});
