import assert from 'node:assert/strict';
import { ConfigError, describeVariables, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults: port 3000, SQLite under ./var, the city hours', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.databaseUrl, null);
    assert.match(c.sqlitePath, /var[/\\]madoguchi\.db$/);
    assert.equal(c.publicBaseUrl, 'http://localhost:3000');
    assert.deepEqual(c.calendar.weeklyHours[1], [{ start: 510, end: 1035 }]);
    assert.deepEqual(c.calendar.yearEndClosure, { from: '12-29', to: '01-03' });
    assert.deepEqual(c.slots, { gridMinutes: 15, bufferMinutes: 15, minNoticeMinutes: 120, horizonDays: 90 });
  });

  it('stops on a bad value with one message naming the variable, the problem and an example, in Japanese and English', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ PUBLIC_BASE_URL: 'madoguchi.example' }, 'PUBLIC_BASE_URL'],
      [{ OPENING_HOURS: 'weekdays 9-5' }, 'OPENING_HOURS'],
      [{ BOOTSTRAP_ADMIN_TOKEN: 'short' }, 'BOOTSTRAP_ADMIN_TOKEN'],
      [{ CLOSE_ON_NATIONAL_HOLIDAYS: 'maybe' }, 'CLOSE_ON_NATIONAL_HOLIDAYS'],
    ];
    for (const [env, name] of cases) {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.equal(e.variable, name);
          assert.match(e.message, new RegExp(`設定エラー: ${name}`));
          assert.match(e.message, new RegExp(`Configuration error: ${name}`));
          assert.match(e.message, /例: /);
          assert.match(e.message, /example: /);
          return true;
        },
      );
    }
  });

  it('never prints a secret or a password from a URL in a start-up message', () => {
    assert.throws(
      () => loadConfig({ SECRET_KEY: 'my-real-secret-value' }),
      (e: Error) => !e.message.includes('my-real-secret') && /secret, 20 characters/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ BOOTSTRAP_ADMIN_TOKEN: 'hunter2-short' }),
      (e: Error) => !e.message.includes('hunter2') && /24 文字以上/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://admin:pa55word@db/x' }),
      (e: Error) => !e.message.includes('pa55word') && e.message.includes('mysql://admin:***@db/x'),
    );
  });

  it('documents every variable in .env.example and in the README', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const v of describeVariables()) {
      assert.match(example, new RegExp(`^#?\\s*${v.name}=`, 'm'), v.name);
      assert.ok(readme.includes(`\`${v.name}\``), `README names ${v.name}`);
    }
  });

  it('Webex and Teams switch on from their credentials, and half a set is refused with what is missing', () => {
    assert.equal(loadConfig({}).webex, null);
    assert.equal(loadConfig({}).teams, null);
    const w = loadConfig({ WEBEX_ACCESS_TOKEN: 't', WEBEX_HOST_EMAIL: 'soudan@city.example.jp' }).webex;
    assert.deepEqual(w?.credentials, { kind: 'access_token', accessToken: 't' });
    assert.throws(() => loadConfig({ WEBEX_ACCESS_TOKEN: 't' }), /WEBEX_HOST_EMAIL/);
    assert.throws(() => loadConfig({ WEBEX_REFRESH_TOKEN: 'r', WEBEX_CLIENT_ID: 'c', WEBEX_CLIENT_SECRET: 's', WEBEX_HOST_EMAIL: 'a@b.jp' }), /SECRET_KEY/);
    assert.throws(() => loadConfig({ TEAMS_TENANT_ID: 't' }), /TEAMS_CLIENT_ID/);
    assert.throws(() => loadConfig({ SECRET_KEY: 'short' }), /openssl rand -base64 32/);
  });
});
