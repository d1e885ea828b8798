import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { createWebexProvider, fixedToken, refreshingToken } from '../core/conferencing/webex/index.ts';
import type { WebexDeps } from '../core/conferencing/webex/index.ts';
import { ProviderError } from '../core/conferencing/types.ts';
import type { MeetingRequest } from '../core/conferencing/types.ts';
import type { WebexConfig } from '../core/config.ts';
import type { SecretStore } from '../core/secrets.ts';
import { bodyProblems, requestMediaTypes } from './openapi.ts';
import { jst } from './helpers.ts';

const API = 'https://webex.test/v1';
const SPEC = 'webex-meeting-openapi.json';
const HOST = 'soudan@city.example.jp';

const config: WebexConfig = {
  apiBaseUrl: API,
  hostEmail: HOST,
  credentials: { kind: 'access_token', accessToken: 'token-1' },
  joinSecurity: 'allowJoinWithLobby',
  automaticLockMinutes: 10,
};

const request: MeetingRequest = {
  consultationId: 'K7M2Q9XA',
  title: '税務課 オンライン相談',
  start: jst('2026-12-01', '10:00'),
  end: jst('2026-12-01', '11:00'),
  hostAccount: HOST,
  invitee: { name: '山田太郎', email: 'yamada@example.jp' },
};

function meetingReply(over: Record<string, unknown> = {}) {
  return {
    id: 'a1b2c3d4e5f6',
    meetingNumber: '2551 234 5678',
    title: '税務課 オンライン相談',
    password: '38472910',
    start: '2026-12-01T10:00:00+09:00',
    end: '2026-12-01T11:00:00+09:00',
    webLink: 'https://city.webex.com/city/j.php?MTID=m123',
    sipAddress: '25512345678@city.webex.com',
    integrationTags: ['madoguchi:K7M2Q9XA'],
    telephony: { accessCode: '25512345678', callInNumbers: [{ label: 'Japan Toll', callInNumber: '+81-3-0000-0000', tollType: 'toll' }] },
    ...over,
  };
}

const sleeps: number[] = [];
function provider(over: Partial<WebexDeps> = {}, cfg: Partial<WebexConfig> = {}) {
  return createWebexProvider({
    config: { ...config, ...cfg },
    meetings: { passwordStyle: 'digits', passwordLength: 8 },
    tokens: fixedToken('token-1'),
    random: randomBytes,
    clock: () => jst('2026-11-24', '09:00'),
    client: { sleep: async (ms) => void sleeps.push(ms), timeoutMs: 200, random: () => 0.5 },
    ...over,
  });
}

function meAs(email: string) {
  return nock(API)
    .get('/people/me')
    .reply(200, { id: 'me', emails: [email], displayName: 'x' });
}

describe('Webex provider (nock)', () => {
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  beforeEach(() => {
    sleeps.length = 0;
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    assert.deepEqual(pending, [], 'every expected Webex call was made');
  });

  it('creates a password-protected meeting for the invited citizen only, and the body conforms to the OpenAPI document', async () => {
    meAs(HOST);
    nock(API)
      .get('/meetings')
      .query((q) => q.integrationTag === 'madoguchi:K7M2Q9XA' && !q.hostEmail)
      .reply(200, { items: [] });
    let sent: any;
    nock(API, { reqheaders: { authorization: 'Bearer token-1', 'content-type': 'application/json' } })
      .post('/meetings', (body) => ((sent = body), true))
      .reply(200, meetingReply());
    const m = await provider().createMeeting(request);
    assert.deepEqual(bodyProblems(SPEC, 'CreateMeetingObject', sent), []);
    assert.match(sent.password, /^\d{8}$/);
    assert.deepEqual(sent.invitees, [{ email: 'yamada@example.jp', displayName: '山田太郎', coHost: false }]);
    assert.equal(sent.sendEmail, false);
    assert.equal(sent.unlockedMeetingJoinSecurity, 'allowJoinWithLobby');
    assert.equal(sent.enabledJoinBeforeHost, false);
    assert.equal(sent.enableAutomaticLock, true);
    assert.equal(sent.automaticLockMinutes, 10);
    assert.equal(sent.enabledAutoRecordMeeting, false);
    assert.deepEqual(sent.integrationTags, ['madoguchi:K7M2Q9XA']);
    assert.equal(sent.timezone, 'Asia/Tokyo');
    assert.equal(sent.start, '2026-12-01T10:00:00+09:00');
    assert.equal(sent.end, '2026-12-01T11:00:00+09:00');
    assert.equal(sent.title, '税務課 オンライン相談');
    assert.equal(sent.hostEmail, undefined, 'the host account schedules for itself');
    assert.deepEqual(m, {
      provider: 'webex',
      providerMeetingId: 'a1b2c3d4e5f6',
      meetingNumber: '25512345678',
      password: '38472910',
      joinUrl: 'https://city.webex.com/city/j.php?MTID=m123',
      dialIn: [{ label: 'Japan Toll', number: '+81-3-0000-0000' }],
      sipAddress: '25512345678@city.webex.com',
    });
  });

  it('schedules for the host account (hostEmail) when the token is a Service App’s; blockFromJoin and no lock by configuration', async () => {
    meAs('service-app@webex.bot');
    nock(API)
      .get('/meetings')
      .query((q) => q.hostEmail === HOST)
      .reply(200, { items: [] });
    let sent: any;
    nock(API)
      .post('/meetings', (b) => ((sent = b), true))
      .reply(200, meetingReply());
    await provider({}, { joinSecurity: 'blockFromJoin', automaticLockMinutes: 0 }).createMeeting(request);
    assert.deepEqual(bodyProblems(SPEC, 'CreateMeetingObject', sent), []);
    assert.equal(sent.hostEmail, HOST);
    assert.equal(sent.unlockedMeetingJoinSecurity, 'blockFromJoin');
    assert.equal(sent.enableAutomaticLock, false);
    assert.equal(sent.automaticLockMinutes, undefined);
  });

  it('leaves the password to Webex when asked, and reads it back', async () => {
    meAs(HOST);
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    let sent: any;
    nock(API)
      .post('/meetings', (b) => ((sent = b), true))
      .reply(200, meetingReply({ password: 'Xy7pQ2' }));
    const m = await provider({ meetings: { passwordStyle: 'provider', passwordLength: 8 } }).createMeeting(request);
    assert.equal(sent.password, undefined);
    assert.equal(m.password, 'Xy7pQ2');
  });

  it('adopts the meeting an earlier try made (found by its integration tag) instead of making a second', async () => {
    meAs(HOST);
    nock(API)
      .get('/meetings')
      .query(true)
      .reply(200, { items: [meetingReply()] });
    const m = await provider().createMeeting(request);
    assert.equal(m.providerMeetingId, 'a1b2c3d4e5f6');
  });

  it('reschedules with PATCH (the media type and body the OpenAPI document defines) and cancels without email', async () => {
    assert.deepEqual(requestMediaTypes(SPEC, '/meetings/{meetingId}', 'patch'), ['application/json-patch+json']);
    meAs(HOST);
    let sent: any;
    nock(API, { reqheaders: { 'content-type': 'application/json-patch+json' } })
      .patch('/meetings/a1b2c3d4e5f6', (b) => ((sent = b), true))
      .reply(200, meetingReply({ start: '2026-12-02T13:00:00+09:00', end: '2026-12-02T13:45:00+09:00' }));
    const p = provider();
    const moved = { ...request, start: jst('2026-12-02', '13:00'), end: jst('2026-12-02', '13:45') };
    const before = await p.updateMeeting(
      { provider: 'webex', providerMeetingId: 'a1b2c3d4e5f6', meetingNumber: '', password: '', joinUrl: '', dialIn: [], sipAddress: '' },
      moved,
    );
    assert.deepEqual(bodyProblems(SPEC, 'PatchMeetingObject', sent), []);
    assert.deepEqual(sent, {
      title: '税務課 オンライン相談',
      start: '2026-12-02T13:00:00+09:00',
      end: '2026-12-02T13:45:00+09:00',
      timezone: 'Asia/Tokyo',
      sendEmail: false,
    });
    nock(API).delete('/meetings/a1b2c3d4e5f6').query({ sendEmail: 'false' }).reply(204);
    await p.deleteMeeting(before, HOST);
    nock(API).delete('/meetings/a1b2c3d4e5f6').query(true).reply(404, { message: 'not found' });
    await p.deleteMeeting(before, HOST);
  });

  it('waits for Retry-After on 429, then succeeds', async () => {
    meAs(HOST);
    nock(API).get('/meetings').query(true).reply(429, { message: 'Too many requests' }, { 'Retry-After': '7' });
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API).post('/meetings').reply(200, meetingReply());
    await provider().createMeeting(request);
    assert.deepEqual(sleeps, [7000]);
  });

  it('retries a 500 and a 503 with backoff, then succeeds', async () => {
    meAs(HOST);
    nock(API).get('/meetings').query(true).reply(500, { message: 'oops', trackingId: 'T1' });
    nock(API).get('/meetings').query(true).reply(503, 'unavailable');
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API).post('/meetings').reply(200, meetingReply());
    await provider().createMeeting(request);
    assert.deepEqual(sleeps, [375, 750], 'capped exponential backoff with jitter');
  });

  it('does not resend a create whose outcome is unclear (503): the next try finds it by its tag instead', async () => {
    meAs(HOST);
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API).post('/meetings').reply(503, { message: 'upstream timeout' });
    const p = provider();
    await assert.rejects(p.createMeeting(request), (e: unknown) => e instanceof ProviderError && e.retryable && e.status === 503);
    nock(API)
      .get('/meetings')
      .query(true)
      .reply(200, { items: [meetingReply()] });
    const m = await p.createMeeting(request);
    assert.equal(m.providerMeetingId, 'a1b2c3d4e5f6');
  });

  it('schedules on the consultation’s own host account when a Service App serves several', async () => {
    meAs('service-app@webex.bot');
    nock(API)
      .get('/meetings')
      .query((q) => q.hostEmail === 'soudan2@city.example.jp')
      .reply(200, { items: [] });
    let sent: any;
    nock(API)
      .post('/meetings', (b) => ((sent = b), true))
      .reply(200, meetingReply());
    await provider().createMeeting({ ...request, hostAccount: 'soudan2@city.example.jp' });
    assert.equal(sent.hostEmail, 'soudan2@city.example.jp');
  });

  it('retries after a request that gets no answer in time, then succeeds', async () => {
    // The first call to GET /meetings never answers: only our timeout can end it.
    let hung = 0;
    const fetchWithOneSilence: typeof fetch = (input, init) => {
      if (String(input).includes('/meetings?') && hung++ === 0) {
        return new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
      }
      return fetch(input, init);
    };
    meAs(HOST);
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API).post('/meetings').reply(200, meetingReply());
    const m = await provider({
      client: { sleep: async (ms) => void sleeps.push(ms), timeoutMs: 100, random: () => 0.5, fetch: fetchWithOneSilence },
    }).createMeeting(request);
    assert.equal(m.meetingNumber, '25512345678');
    assert.equal(hung, 2);
    assert.equal(sleeps.length, 1);
  });

  it('on 401 refreshes the access token once, keeps it sealed, and retries', async () => {
    const store = new Map<string, string>();
    const secrets: SecretStore = { get: async (n) => store.get(n) ?? null, put: async (n, v) => void store.set(n, v) };
    const tokens = refreshingToken({ baseUrl: API, clientId: 'cid', clientSecret: 'csecret', refreshToken: 'refresh-1', secrets, clock: () => 1_000_000 });
    nock(API)
      .post(
        '/access_token',
        (b) => b.grant_type === 'refresh_token' && b.refresh_token === 'refresh-1' && b.client_id === 'cid' && b.client_secret === 'csecret',
      )
      .reply(200, { access_token: 'access-A', expires_in: 1_209_600, refresh_token: 'refresh-1', refresh_token_expires_in: 7_776_000 });
    nock(API, { reqheaders: { authorization: 'Bearer access-A' } })
      .get('/people/me')
      .reply(401, { message: 'expired' });
    nock(API)
      .post('/access_token', (b) => b.refresh_token === 'refresh-1')
      .reply(200, { access_token: 'access-B', expires_in: 1_209_600, refresh_token: 'refresh-2' });
    nock(API, { reqheaders: { authorization: 'Bearer access-B' } })
      .get('/people/me')
      .reply(200, { id: 'me', emails: [HOST] });
    nock(API, { reqheaders: { authorization: 'Bearer access-B' } })
      .get('/meetings')
      .query(true)
      .reply(200, { items: [] });
    nock(API, { reqheaders: { authorization: 'Bearer access-B' } })
      .post('/meetings')
      .reply(200, meetingReply());
    await provider({ tokens }).createMeeting(request);
    const stored = JSON.parse(store.get('webex.tokens')!);
    assert.equal(stored.accessToken, 'access-B');
    assert.equal(stored.refreshToken, 'refresh-2', 'a rotated refresh token is kept for next time');
  });

  it('a fixed token refused with 401 is reported plainly, without retrying', async () => {
    nock(API)
      .get('/people/me')
      .reply(401, { message: 'The request requires a valid access token set in the Authorization request header.', trackingId: 'ROUTER_1' });
    await assert.rejects(provider().createMeeting(request), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.retryable, false);
      assert.match(e.message, /WEBEX_ACCESS_TOKEN/);
      return true;
    });
  });

  it('surfaces a 4xx with Webex’s own message and trackingId, not to be retried', async () => {
    meAs(HOST);
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API)
      .post('/meetings')
      .reply(400, {
        message: 'Password does not meet complexity requirements.',
        errors: [{ description: 'Password must contain letters' }],
        trackingId: 'WEBEX_abc123',
      });
    await assert.rejects(provider().createMeeting(request), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.status, 400);
      assert.equal(e.retryable, false);
      assert.equal(e.trackingId, 'WEBEX_abc123');
      assert.match(e.message, /complexity requirements/);
      assert.match(e.message, /WEBEX_abc123/);
      return true;
    });
  });
});
