import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { createWebexProvider, fixedToken } from '../core/conferencing/webex/index.ts';
import type { ConferencingProvider } from '../core/conferencing/types.ts';
import { booking, jst, startTestServer } from './helpers.ts';
import { bodyProblems } from './openapi.ts';
import type { TestServer } from './helpers.ts';

const API = 'https://webex.test/v1';
const HOST = 'soudan@city.example.jp';
const WEBEX_ENV = { WEBEX_ACCESS_TOKEN: 'token-1', WEBEX_HOST_EMAIL: HOST, WEBEX_API_BASE_URL: API };

const meeting = (over: Record<string, unknown> = {}) => ({
  id: 'mtg-1',
  meetingNumber: '25512345678',
  password: '38472910',
  start: '2026-12-01T10:00:00+09:00',
  end: '2026-12-01T11:00:00+09:00',
  webLink: 'https://city.webex.com/city/j.php?MTID=m1',
  sipAddress: '25512345678@city.webex.com',
  ...over,
});

function webexProvider(): ConferencingProvider {
  return createWebexProvider({
    config: {
      apiBaseUrl: API,
      hostEmail: HOST,
      credentials: { kind: 'access_token', accessToken: 'token-1' },
      joinSecurity: 'allowJoinWithLobby',
      automaticLockMinutes: 10,
    },
    meetings: { passwordStyle: 'digits', passwordLength: 8 },
    tokens: fixedToken('token-1'),
    random: randomBytes,
    client: { sleep: async () => {} },
  });
}

/** The provider's create succeeds, then this server "crashes" before saving the answer — once. */
function crashingAfterCreateOnce(inner: ConferencingProvider): ConferencingProvider {
  let crashed = false;
  return {
    ...inner,
    async createMeeting(r) {
      const m = await inner.createMeeting(r);
      if (!crashed) {
        crashed = true;
        throw new Error('simulated crash between the provider’s create and our save');
      }
      return m;
    },
  };
}

/** Books a consultation whose Webex meeting is made (mtg-1) and its invitation sent. */
async function bookWithMeeting(s: TestServer) {
  nock(API)
    .get('/people/me')
    .reply(200, { id: 'me', emails: [HOST] });
  nock(API).get('/meetings').query(true).reply(200, { items: [] });
  nock(API).post('/meetings').reply(200, meeting());
  const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
  await s.running.worker.idle();
  return c;
}

async function status(s: TestServer, id: string) {
  return (await s.call('GET', `/api/v1/consultations/${id}`)).body;
}

describe('meeting pipeline with Webex', function () {
  this.timeout(30_000);
  let s: TestServer | undefined;
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });
  after(() => nock.enableNetConnect());
  afterEach(async () => {
    await s?.close();
    s = undefined;
    const pending = nock.pendingMocks();
    nock.cleanAll();
    assert.deepEqual(pending, []);
  });

  it('a walk-in on a Webex device gets an instant meeting from now, made long (WALK_IN_MEETING_HOURS), as the API describes it', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: webexProvider() } });
    s.clock.now = jst('2026-12-01', '10:07');
    nock(API)
      .get('/people/me')
      .reply(200, { id: 'me', emails: [HOST] });
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    let sent: any;
    nock(API)
      .post('/meetings', (b) => ((sent = b), true))
      .reply(200, meeting({ start: '2026-12-01T10:07:00+09:00', end: '2026-12-01T18:07:00+09:00' }));
    const started = await s.call('POST', '/api/v1/walk-ins', { siteId: 'main', department: '税務', topic: '相続' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    await s.running.worker.idle();
    assert.deepEqual(bodyProblems('webex-meeting-openapi.json', 'CreateMeetingObject', sent), []);
    assert.equal(sent.start, '2026-12-01T10:07:00+09:00', 'joinable now');
    assert.equal(sent.end, '2026-12-01T18:07:00+09:00', 'eight hours: the platform never cuts the visit (Webex allows up to 24)');
    assert.equal(sent.invitees, undefined, 'no citizen email: nobody is invited by mail');
    const c = (await s.call('GET', `/api/v1/consultations/${started.body.consultation.id}`)).body;
    assert.equal(c.status, 'in_progress');
    assert.equal(c.end, '2026-12-01T10:37:00+09:00', 'the device is held for WALK_IN_MINUTES at first, extended while it goes on');
  });

  it('with Webex configured, the host is the Webex account and no booking lands on a dry-run host', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: webexProvider() } });
    const hosts = (await s.call('GET', '/api/v1/hosts')).body.hosts;
    assert.deepEqual(
      hosts.map((h: { provider: string }) => h.provider),
      ['webex'],
    );
  });

  it('a crash after Webex made the meeting but before we saved it still ends with exactly one meeting', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: crashingAfterCreateOnce(webexProvider()) } });
    nock(API)
      .get('/people/me')
      .reply(200, { id: 'me', emails: [HOST] });
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    const created = nock(API)
      .post('/meetings')
      .once()
      .reply(200, meeting({ integrationTags: ['madoguchi:X'] }));
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    assert.ok(created.isDone());
    assert.equal((await status(s, c.id)).status, 'booked', 'not ready yet: the answer was lost');
    // The retry finds the meeting by its tag and adopts it; a second POST would find no mock and fail.
    nock(API)
      .get('/meetings')
      .query((q) => q.integrationTag === `madoguchi:${c.id}`)
      .reply(200, { items: [meeting({ integrationTags: [`madoguchi:${c.id}`] })] });
    s.clock.now += 60 * 60_000;
    await s.running.worker.idle();
    const after = await status(s, c.id);
    assert.equal(after.status, 'invited');
    assert.equal(after.meeting.meetingNumber, '25512345678');
    const rows = await s.running.store.db.selectFrom('meetings').selectAll().execute();
    assert.equal(rows.length, 1);
  });

  it('a refusal from Webex (4xx) marks the consultation "needs attention" at once, with Webex’s message', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: webexProvider() } });
    nock(API)
      .get('/people/me')
      .reply(200, { id: 'me', emails: [HOST] });
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API).post('/meetings').reply(400, { message: 'Password does not meet complexity requirements.', trackingId: 'WEBEX_t1' });
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    const after = await status(s, c.id);
    assert.equal(after.status, 'needs_attention');
    assert.match(after.statusNote, /complexity requirements/);
    assert.match(after.statusNote, /WEBEX_t1/);
    const job = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'meeting.sync').executeTakeFirstOrThrow();
    assert.equal(job.status, 'dead');
    assert.equal(job.attempts, 1, 'a refusal is not retried');
    // Once the city fixed its Webex password rules, staff retry: the meeting is made.
    nock(API).get('/meetings').query(true).reply(200, { items: [] });
    nock(API).post('/meetings').reply(200, meeting());
    const retried = await s.call('POST', `/api/v1/consultations/${c.id}/retry`);
    assert.equal(retried.body.status, 'booked');
    await s.running.worker.idle();
    assert.equal((await status(s, c.id)).status, 'invited');
    assert.equal((await s.call('POST', `/api/v1/consultations/${c.id}/retry`)).status, 409, 'only a consultation that needs attention can be retried');
  });

  it('reschedule and cancel go through the same durable path (PATCH, then DELETE without email)', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: webexProvider() } });
    const c = await bookWithMeeting(s);
    let patched: any;
    nock(API)
      .patch('/meetings/mtg-1', (b) => ((patched = b), true))
      .reply(200, meeting({ start: '2026-12-01T14:00:00+09:00', end: '2026-12-01T15:00:00+09:00' }));
    assert.equal((await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-01T14:00:00+09:00' })).status, 200);
    await s.running.worker.idle();
    assert.equal(patched.start, '2026-12-01T14:00:00+09:00');
    const del = nock(API).delete('/meetings/mtg-1').query({ sendEmail: 'false' }).reply(204);
    assert.equal((await s.call('POST', `/api/v1/consultations/${c.id}/cancel`, {})).status, 200);
    await s.running.worker.idle();
    assert.ok(del.isDone());
    assert.equal((await status(s, c.id)).meeting, null);
  });

  it('a refused move needs attention ("could not be moved"), and a retry after the fix moves it and tells the citizen', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: webexProvider() } });
    const c = await bookWithMeeting(s);
    assert.equal((await status(s, c.id)).status, 'invited');
    nock(API).patch('/meetings/mtg-1').reply(403, { message: 'Forbidden: the meeting is locked', trackingId: 'WEBEX_p1' });
    await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-01T14:00:00+09:00' });
    await s.running.worker.idle();
    const stuck = await status(s, c.id);
    assert.equal(stuck.status, 'needs_attention');
    assert.match(stuck.statusNote, /会議の日時を変更できませんでした/);
    nock(API)
      .patch('/meetings/mtg-1')
      .reply(200, meeting({ start: '2026-12-01T14:00:00+09:00', end: '2026-12-01T15:00:00+09:00' }));
    await s.call('POST', `/api/v1/consultations/${c.id}/retry`);
    await s.running.worker.idle();
    const fixed = await status(s, c.id);
    assert.equal(fixed.status, 'invited', 'moved, and the citizen sent the new details');
  });

  it('a cancelled consultation whose meeting could not be deleted says so, and the delete can be retried', async () => {
    s = await startTestServer('sqlite', WEBEX_ENV, { providers: { webex: webexProvider() } });
    const c = await bookWithMeeting(s);
    nock(API).delete('/meetings/mtg-1').query(true).reply(403, { message: 'Forbidden' });
    await s.call('POST', `/api/v1/consultations/${c.id}/cancel`, {});
    await s.running.worker.idle();
    const stuck = await status(s, c.id);
    assert.equal(stuck.status, 'cancelled');
    assert.match(stuck.statusNote, /削除できませんでした/);
    assert.ok(stuck.meeting, 'the meeting is still there, and the API shows it');
    nock(API).delete('/meetings/mtg-1').query(true).reply(204);
    assert.equal((await s.call('POST', `/api/v1/consultations/${c.id}/retry`)).status, 200);
    await s.running.worker.idle();
    assert.equal((await status(s, c.id)).meeting, null);
    assert.equal((await s.call('POST', `/api/v1/consultations/${c.id}/retry`)).status, 409);
  });

  it('WEBEX_API_BASE_URL pointed at a local server: booking creates the meeting there', async () => {
    const seen: Array<{ method: string; url: string; auth: string; body: any }> = [];
    const stub = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body: text ? JSON.parse(text) : null });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v1/people/me') return res.end(JSON.stringify({ id: 'me', emails: [HOST] }));
        if (req.method === 'GET' && req.url!.startsWith('/v1/meetings?')) return res.end(JSON.stringify({ items: [] }));
        if (req.method === 'POST' && req.url === '/v1/meetings') {
          const b = seen.at(-1)!.body;
          return res.end(
            JSON.stringify(meeting({ id: 'stub-1', start: b.start, end: b.end, password: b.password, webLink: 'http://stand-in.example/join/stub-1' })),
          );
        }
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'no such route' }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    const port = (stub.address() as AddressInfo).port;
    try {
      // As `npm start` runs it: the outbox worker in the server process, on the real clock.
      s = await startTestServer('sqlite', { ...WEBEX_ENV, WEBEX_API_BASE_URL: `http://127.0.0.1:${port}/v1` }, { workerPollMs: 5_000 });
      s.clock.now = Date.now();
      const from = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
      const to = new Date(Date.now() + 9 * 3_600_000 + 20 * 86_400_000).toISOString().slice(0, 10);
      const slot = (await s.call('GET', `/api/v1/slots?from=${from}&to=${to}&duration=60`)).body.slots[0];
      const c = (await s.call('POST', '/api/v1/consultations', booking({ start: slot.start }))).body;
      assert.equal(c.status, 'booked', JSON.stringify(c));
      await s.running.worker.idle();
      const after = await status(s, c.id);
      assert.equal(after.status, 'invited');
      assert.equal(after.meeting.joinUrl, 'http://stand-in.example/join/stub-1');
      assert.equal(after.meeting.password, seen.find((x) => x.method === 'POST')!.body.password);
      assert.ok(seen.every((x) => x.auth === 'Bearer token-1'));
    } finally {
      stub.close();
    }
  });
});

describe('the dry-run provider follows the city’s password rules', function () {
  this.timeout(20_000);
  for (const [style, length, pattern] of [
    ['digits', '10', /^\d{10}$/],
    ['letters-digits', '12', /^(?=.*[a-z])(?=.*\d)[a-z0-9]{12}$/],
  ] as const) {
    it(`MEETING_PASSWORD_STYLE=${style}, MEETING_PASSWORD_LENGTH=${length}`, async () => {
      const s = await startTestServer('sqlite', { MEETING_PASSWORD_STYLE: style, MEETING_PASSWORD_LENGTH: length });
      try {
        const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
        await s.running.worker.idle();
        assert.match((await s.call('GET', `/api/v1/consultations/${c.id}`)).body.meeting.password, pattern);
      } finally {
        await s.close();
      }
    });
  }
});
