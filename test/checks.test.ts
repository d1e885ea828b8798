import assert from 'node:assert/strict';
import nock from 'nock';
import { fixedToken } from '../core/conferencing/webex/index.ts';
import { checkWebex } from '../core/conferencing/webex/check.ts';
import { checkTeams } from '../core/conferencing/teams/check.ts';
import { formatCheck } from '../core/conferencing/check.ts';

const API = 'https://webex.test/v1';
const HOST = 'soudan@city.example.jp';
const webex = {
  apiBaseUrl: API,
  hostEmail: HOST,
  credentials: { kind: 'access_token' as const, accessToken: 't' },
  joinSecurity: 'allowJoinWithLobby' as const,
  automaticLockMinutes: 10,
};
const teams = {
  tenantId: 't',
  clientId: 'c',
  clientSecret: 's',
  hostUserId: 'host-id',
  graphBaseUrl: 'https://graph.microsoft.com',
  authorityHost: 'https://login.microsoftonline.com',
};
const jwt = (payload: object) => `x.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.y`;
const client = { sleep: async () => {} };

describe('set-up checks (npm run check:webex / check:teams)', () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  it('Webex: the host account’s own token that can read meetings passes', async () => {
    nock(API)
      .get('/people/me')
      .reply(200, { id: 'me', emails: [HOST], displayName: '相談用' });
    nock(API).get('/meetings').query({ max: '1' }).reply(200, { items: [] });
    const lines = await checkWebex(webex, fixedToken('t'), client);
    assert.ok(
      lines.every((l) => l.ok),
      formatCheck(lines),
    );
  });

  it('Webex: a Service App without the admin scopes is told which scope to add', async () => {
    nock(API)
      .get('/people/me')
      .reply(200, { id: 'bot', emails: ['app@webex.bot'] });
    nock(API).get('/people').query({ email: HOST }).reply(403, { message: 'Forbidden' });
    nock(API).get('/meetings').query({ max: '1', hostEmail: HOST }).reply(403, { message: 'Forbidden' });
    const text = formatCheck(await checkWebex(webex, fixedToken('t'), client));
    assert.match(text, /✖ .*meeting:admin_schedule_write/);
    assert.match(text, /Add the meeting:admin_schedule_read scope/);
  });

  it('Webex: a refused token stops the check with what to set', async () => {
    nock(API).get('/people/me').reply(401, { message: 'The request requires a valid access token' });
    const lines = await checkWebex(webex, fixedToken('t'), client);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.ok, false);
    assert.match(lines[0]!.ja, /WEBEX_ACCESS_TOKEN/);
  });

  it('Teams: a missing permission and a missing application access policy are both named', async () => {
    nock('https://graph.microsoft.com')
      .get('/v1.0/users/host-id/onlineMeetings')
      .query(true)
      .reply(403, { error: { code: 'Forbidden', message: 'No application access policy found for this app.' } });
    const lines = await checkTeams(teams, { get: async () => jwt({ roles: ['User.Read.All'] }) });
    const text = formatCheck(lines);
    assert.match(text, /✖ アプリに OnlineMeetings\.ReadWrite\.All がありません/);
    assert.match(text, /Grant-CsApplicationAccessPolicy/);
  });

  it('Teams: everything in place passes', async () => {
    nock('https://graph.microsoft.com').get('/v1.0/users/host-id/onlineMeetings').query(true).reply(200, { value: [] });
    const lines = await checkTeams(teams, { get: async () => jwt({ roles: ['OnlineMeetings.ReadWrite.All'] }) });
    assert.ok(
      lines.every((l) => l.ok),
      formatCheck(lines),
    );
  });
});
