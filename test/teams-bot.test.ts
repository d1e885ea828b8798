import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import nock from 'nock';
import { startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const TENANT = '99999999-8888-7777-6666-555555555555';
const SERVICE_URL = 'https://smba.test/teams/';

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

describe('Teams staff bot (Bot Framework token validation, nock)', function () {
  this.timeout(30_000);
  let s: TestServer;
  const trusted = keyPair('trusted-key');
  const stranger = keyPair('stranger-key');

  const token = (key = trusted, claims: Record<string, unknown> = {}) =>
    jwt.sign({ serviceurl: SERVICE_URL, aud: CLIENT_ID, ...claims }, key.privateKey, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: 'https://api.botframework.com',
      expiresIn: '5m',
    });
  // The token the bot uses to answer (from Entra): the SDK reads its expiry, so it is a JWT too.
  const outbound = jwt.sign({ aud: 'https://api.botframework.com' }, stranger.privateKey, { algorithm: 'RS256', expiresIn: '1h' });

  let activities = 0;
  const activity = (text: string, from = { id: '29:user-tanaka', name: '税務 田中', aadObjectId: 'aad-tanaka' }) => ({
    type: 'message',
    id: `act-${++activities}`,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    timestamp: new Date().toISOString(),
    from,
    recipient: { id: `28:${CLIENT_ID}`, name: 'madoguchi' },
    conversation: { id: 'a:personal-tanaka', conversationType: 'personal', tenantId: TENANT },
    text,
  });

  const post = (body: unknown, authorization?: string) =>
    fetch(`${s.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
    nock('https://login.botframework.com')
      .persist()
      .get('/v1/.well-known/keys')
      .reply(200, { keys: [trusted.jwk] });
    nock('https://login.botframework.com')
      .persist()
      .get('/v1/.well-known/openidconfiguration')
      .reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys' });
    nock('https://login.microsoftonline.com')
      .persist()
      .post(/\/oauth2\/v2\.0\/token/)
      .query(true)
      .reply(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: outbound });
    s = await startTestServer('sqlite', {
      TEAMS_TENANT_ID: TENANT,
      TEAMS_CLIENT_ID: CLIENT_ID,
      TEAMS_CLIENT_SECRET: 'secret',
      TEAMS_HOST_USER_ID: 'host-user',
    });
  });
  after(async () => {
    await s?.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('a signed activity is accepted and answered through the command core', async () => {
    const replies: Array<Record<string, any>> = [];
    nock('https://smba.test')
      .post(/\/teams\/v3\/conversations\/.+\/activities/, (b) => {
        replies.push(b);
        return true;
      })
      .reply(200, { id: 'reply-1' });
    const res = await post(activity('<at>madoguchi</at> /duty on 税務'), `Bearer ${token()}`);
    assert.ok(res.status >= 200 && res.status < 300, `status ${res.status}`);
    for (let i = 0; i < 50 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(replies.length, 1);
    assert.match(replies[0]!.text, /税務課の当番を始めました/);
    const staff = await s.running.store.db.selectFrom('staff').selectAll().where('platform', '=', 'teams').executeTakeFirstOrThrow();
    assert.equal(staff.platform_user_id, 'aad-tanaka');
  });

  it('added to a channel, the bot asks which department it serves; then relay alerts reach that channel as a card', async () => {
    const c = (
      await s.call('POST', '/api/v1/consultations', {
        start: '2026-12-01T10:00:00+09:00',
        durationMinutes: 60,
        department: '総合窓口課',
        citizen: { name: '山田太郎', email: 'yamada@example.jp' },
      })
    ).body;
    await s.running.worker.idle();
    const asked: Array<Record<string, any>> = [];
    nock('https://smba.test')
      .post(/tax(@|%40)thread/, (b) => (asked.push(b), true))
      .reply(200, { id: 'ask-1' });
    const installed = {
      type: 'installationUpdate',
      action: 'add',
      id: 'inst-1',
      channelId: 'msteams',
      serviceUrl: SERVICE_URL,
      from: { id: '29:user-admin', name: '情報政策課', aadObjectId: 'aad-admin' },
      recipient: { id: `28:${CLIENT_ID}`, name: 'madoguchi' },
      conversation: { id: '19:tax@thread.tacv2', conversationType: 'channel', tenantId: TENANT },
    };
    assert.ok((await post(installed, `Bearer ${token()}`)).ok);
    for (let i = 0; i < 50 && asked.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const ask = asked[0]!.attachments[0].content;
    assert.equal(ask.actions[0].data.verb, 'link-channel');
    nock('https://smba.test')
      .post(/tax(@|%40)thread/)
      .reply(200, { id: 'linked' });
    const chosen = { ...activity(''), conversation: installed.conversation, value: { ...ask.actions[0].data, department: '税務課' } };
    assert.ok((await post(chosen, `Bearer ${token()}`)).ok);
    for (let i = 0; i < 50; i++) {
      const d = await s.running.store.db.selectFrom('departments').select('teams_channel').where('name', '=', '税務課').executeTakeFirstOrThrow();
      if (d.teams_channel) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(
      (await s.running.store.db.selectFrom('departments').select('teams_channel').where('name', '=', '税務課').executeTakeFirstOrThrow()).teams_channel,
      '19:tax@thread.tacv2',
    );
    const sent: Array<Record<string, any>> = [];
    nock('https://smba.test')
      .persist()
      .post(/\/teams\/v3\/conversations\/a(:|%3A)personal-tanaka\/activities/)
      .reply(200, { id: 'r' });
    nock('https://smba.trafficmanager.net')
      .post(/\/teams\/v3\/conversations\/19(:|%3A)tax(@|%40)thread\.tacv2\/activities/, (b) => {
        sent.push(b);
        return true;
      })
      .reply(200, { id: 'alert-1' });
    s.clock.now = Date.parse('2026-12-01T01:05:00Z');
    // From the reception desk (not from the tax department itself: relaying to one's own department is refused).
    const res = await post(
      activity(`/relay 税務 #${c.id} 相続の件`, { id: '29:user-yamamoto', name: '窓口 山本', aadObjectId: 'aad-yamamoto' }),
      `Bearer ${token()}`,
    );
    assert.ok(res.ok, `${res.status} ${await res.text()}`);
    await s.running.worker.idle();
    const jobs = await s.running.store.db.selectFrom('outbox').select(['kind', 'status', 'last_error']).where('kind', 'like', 'relay.%').execute();
    assert.equal(sent.length, 1, `the alert was posted to the tax channel ${JSON.stringify(jobs)}`);
    assert.equal(sent[0]!.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(sent[0]!.attachments[0].content), /相続の件/);
  });

  it('a signed activity from another organisation (tenant) is not taken as staff', async () => {
    const replies: Array<Record<string, any>> = [];
    nock('https://smba.test')
      .post(/activities/, (b) => (replies.push(b), true))
      .reply(200, { id: 'x' });
    const other = {
      ...activity('/duty on 税務', { id: '29:outsider', name: 'Outsider', aadObjectId: 'aad-outsider' }),
      conversation: { id: 'a:outsider', conversationType: 'personal', tenantId: 'another-tenant' },
    };
    assert.ok((await post(other, `Bearer ${token()}`)).ok);
    for (let i = 0; i < 50 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(replies[0]!.text, /市の職員専用/);
    assert.equal((await s.running.store.db.selectFrom('staff').selectAll().where('platform_user_id', '=', 'aad-outsider').execute()).length, 0);
  });

  it('an unsigned, wrongly signed or wrongly addressed activity is refused and does nothing', async () => {
    const before = await s.running.store.db.selectFrom('staff').selectAll().execute();
    for (const authorization of [undefined, `Bearer ${token(stranger)}`, `Bearer ${token(trusted, { aud: 'someone-else' })}`, 'Bearer not-a-jwt']) {
      const res = await post(activity('/duty off'), authorization);
      assert.equal(res.status, 401, String(authorization).slice(0, 30));
    }
    assert.deepEqual(await s.running.store.db.selectFrom('staff').selectAll().execute(), before);
  });
});
