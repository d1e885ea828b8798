import assert from 'node:assert/strict';
import nock from 'nock';
import { createTeamsProvider, msalTokenSource } from '../core/conferencing/teams/index.ts';
import { ProviderError } from '../core/conferencing/types.ts';
import type { MeetingRequest } from '../core/conferencing/types.ts';
import type { TeamsConfig } from '../core/config.ts';
import { jst } from './helpers.ts';
import { csdlProblems } from './csdl.ts';

const GRAPH_SPEC = 'graph-v1.0-online-meetings.csdl.xml';

const GRAPH = 'https://graph.microsoft.com';
const HOST_ID = '11111111-2222-3333-4444-555555555555';
const BASE = `/v1.0/users/${HOST_ID}/onlineMeetings`;

const config: TeamsConfig = {
  tenantId: 'tenant',
  clientId: 'client',
  clientSecret: 'secret',
  hostUserId: HOST_ID,
  graphBaseUrl: GRAPH,
  authorityHost: 'https://login.microsoftonline.com',
};

const request: MeetingRequest = {
  consultationId: 'K7M2Q9XA',
  title: '福祉課 オンライン相談',
  start: jst('2026-12-01', '10:00'),
  end: jst('2026-12-01', '11:00'),
  hostAccount: HOST_ID,
  invitee: { name: '山田花子', email: 'hanako@example.jp' },
};

const onlineMeeting = (over: Record<string, unknown> = {}) => ({
  id: 'MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ',
  externalId: 'K7M2Q9XA',
  joinWebUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0',
  startDateTime: '2026-12-01T01:00:00Z',
  endDateTime: '2026-12-01T02:00:00Z',
  joinMeetingIdSettings: { joinMeetingId: '234 567 890 123', passcode: 'aB3xY9', isPasscodeRequired: true },
  audioConferencing: { conferenceId: '123456', tollNumber: '+81 3 0000 0000', tollFreeNumber: null, dialinUrl: 'https://dialin.teams.microsoft.com/x' },
  ...over,
});

function provider() {
  return createTeamsProvider({ config, tokens: { get: async () => 'graph-token' }, retry: { delaySeconds: 0, maxRetries: 2 } });
}

const headers = { authorization: 'Bearer graph-token', 'accept-language': 'ja' };

describe('Teams provider (nock)', function () {
  this.timeout(20_000);
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    assert.deepEqual(pending, [], 'every expected Graph call was made');
  });

  it('creates with createOrGet by externalId, then sets the lobby, presenters and no recording', async () => {
    let created: any;
    let patched: any;
    nock(GRAPH, { reqheaders: headers })
      .post(`${BASE}/createOrGet`, (b) => ((created = b), true))
      .reply(201, onlineMeeting());
    nock(GRAPH, { reqheaders: { ...headers, prefer: 'include-unknown-enum-members' } })
      .patch(`${BASE}/MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ`, (b) => ((patched = b), true))
      .reply(200, onlineMeeting({ lobbyBypassSettings: { scope: 'invited', isDialInBypassEnabled: false } }));
    const m = await provider().createMeeting(request);
    assert.deepEqual(csdlProblems(GRAPH_SPEC, 'action:createOrGet', created), [], 'createOrGet as Graph describes it');
    assert.deepEqual(csdlProblems(GRAPH_SPEC, 'graph.onlineMeeting', patched), [], 'the update as Graph describes an onlineMeeting');
    assert.deepEqual(
      csdlProblems(GRAPH_SPEC, 'graph.onlineMeeting', { ...patched, lobbyBypassSettings: { scope: 'invitees' }, recordAutomaticaly: false }),
      [
        'lobbyBypassSettings.scope: "invitees" is not one of organizer, organization, organizationAndFederated, everyone, unknownFutureValue, invited, organizationExcludingGuests',
        'recordAutomaticaly: not defined by the official description',
      ],
      'the check can fail',
    );
    assert.deepEqual(created, {
      externalId: 'K7M2Q9XA',
      subject: '福祉課 オンライン相談',
      startDateTime: '2026-12-01T01:00:00.000Z',
      endDateTime: '2026-12-01T02:00:00.000Z',
      participants: { attendees: [{ upn: 'hanako@example.jp', role: 'attendee' }] },
    });
    assert.deepEqual(patched, {
      startDateTime: '2026-12-01T01:00:00.000Z',
      endDateTime: '2026-12-01T02:00:00.000Z',
      lobbyBypassSettings: { scope: 'invited', isDialInBypassEnabled: false },
      allowedPresenters: 'organizer',
      recordAutomatically: false,
      isEntryExitAnnounced: true,
    });
    assert.deepEqual(m, {
      provider: 'teams',
      providerMeetingId: 'MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ',
      meetingNumber: '234567890123',
      password: 'aB3xY9',
      joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0',
      dialIn: [{ label: '電話で参加 / Toll', number: '+81 3 0000 0000' }],
      sipAddress: '',
    });
  });

  it('a walk-in’s instant meeting invites nobody and lets city staff in directly (the citizen sits at the organiser’s device)', async () => {
    let created: any;
    let patched: any;
    nock(GRAPH)
      .post(`${BASE}/createOrGet`, (b) => ((created = b), true))
      .reply(201, onlineMeeting());
    nock(GRAPH)
      .patch(`${BASE}/MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ`, (b) => ((patched = b), true))
      .reply(200, onlineMeeting());
    await provider().createMeeting({ ...request, start: jst('2026-12-01', '10:07'), end: jst('2026-12-01', '18:07'), invitee: null });
    assert.equal(created.participants, undefined, 'no attendee');
    assert.equal(created.startDateTime, '2026-12-01T01:07:00.000Z');
    assert.equal(created.endDateTime, '2026-12-01T09:07:00.000Z', 'made long: never cut while the citizen is there');
    assert.deepEqual(patched.lobbyBypassSettings, { scope: 'organization', isDialInBypassEnabled: false });
    assert.deepEqual(csdlProblems(GRAPH_SPEC, 'action:createOrGet', created), []);
    assert.deepEqual(csdlProblems(GRAPH_SPEC, 'graph.onlineMeeting', patched), []);
  });

  it('makes the meeting on the host account of the consultation’s host (several dedicated accounts)', async () => {
    nock(GRAPH).post('/v1.0/users/second-host/onlineMeetings/createOrGet').reply(201, onlineMeeting());
    nock(GRAPH).patch('/v1.0/users/second-host/onlineMeetings/MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ').reply(200, onlineMeeting());
    await provider().createMeeting({ ...request, hostAccount: 'second-host' });
  });

  it('honours Retry-After on 429 (Graph’s RetryHandler), then succeeds', async () => {
    nock(GRAPH)
      .post(`${BASE}/createOrGet`)
      .reply(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'Retry-After': '1' });
    nock(GRAPH).post(`${BASE}/createOrGet`).reply(200, onlineMeeting());
    nock(GRAPH).patch(`${BASE}/MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ`).reply(200, onlineMeeting());
    const t0 = Date.now();
    await provider().createMeeting(request);
    assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');
  });

  it('moves the meeting with both times, and deletes it (already gone is fine)', async () => {
    let patched: any;
    nock(GRAPH, { reqheaders: headers })
      .patch(`${BASE}/M1`, (b) => ((patched = b), true))
      .reply(200, onlineMeeting({ id: 'M1', joinMeetingIdSettings: null, startDateTime: '2026-12-02T04:00:00Z' }));
    const existing = {
      provider: 'teams' as const,
      providerMeetingId: 'M1',
      meetingNumber: '234567890123',
      password: 'aB3xY9',
      joinUrl: 'x',
      dialIn: [],
      sipAddress: '',
    };
    const moved = await provider().updateMeeting(existing, { ...request, start: jst('2026-12-02', '13:00'), end: jst('2026-12-02', '14:00') });
    assert.deepEqual(patched, { startDateTime: '2026-12-02T04:00:00.000Z', endDateTime: '2026-12-02T05:00:00.000Z', subject: '福祉課 オンライン相談' });
    assert.equal(moved.password, 'aB3xY9', 'the passcode is kept when Graph does not repeat it');
    nock(GRAPH).delete(`${BASE}/M1`).reply(204);
    await provider().deleteMeeting(existing, HOST_ID);
    nock(GRAPH)
      .delete(`${BASE}/M1`)
      .reply(404, { error: { code: 'NotFound', message: 'gone' } });
    await provider().deleteMeeting(existing, HOST_ID);
  });

  it('a missing application access policy is a refusal a person must fix, said plainly', async () => {
    nock(GRAPH)
      .post(`${BASE}/createOrGet`)
      .reply(403, {
        error: {
          code: 'Forbidden',
          message: 'App client is not authorized to Create meeting on behalf of user',
          innerError: { 'request-id': 'req-42', date: '2026-11-24T00:00:00' },
        },
      });
    await assert.rejects(provider().createMeeting(request), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.status, 403);
      assert.equal(e.retryable, false);
      assert.equal(e.trackingId, 'req-42');
      assert.match(e.message, /application access policy/);
      return true;
    });
  });

  it('gets its Graph token from Microsoft Entra with client credentials (MSAL), and reuses it', async () => {
    let asked = 0;
    nock('https://login.microsoftonline.com')
      .post('/tenant/oauth2/v2.0/token', (b) => {
        asked++;
        return (
          b.grant_type === 'client_credentials' &&
          b.client_id === 'client' &&
          b.client_secret === 'secret' &&
          b.scope.includes('https://graph.microsoft.com/.default')
        );
      })
      .query(true)
      .reply(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'entra-token' });
    const tokens = msalTokenSource(config);
    assert.equal(await tokens.get(), 'entra-token');
    assert.equal(await tokens.get(), 'entra-token');
    assert.equal(asked, 1);
  });

  it('a refused sign-in (wrong secret) is a refusal a person must fix, not retried for an hour', async () => {
    const p = createTeamsProvider({
      config,
      tokens: {
        get: async () => {
          throw new ProviderError('teams', 'Microsoft Entra refused the sign-in (invalid_client)', { retryable: false });
        },
      },
      retry: { delaySeconds: 0, maxRetries: 0 },
    });
    await assert.rejects(p.createMeeting(request), (e: unknown) => e instanceof ProviderError && !e.retryable && /invalid_client/.test(e.message));
  });

  it('a 500 is worth another try later', async () => {
    nock(GRAPH)
      .post(`${BASE}/createOrGet`)
      .reply(500, { error: { code: 'InternalServerError', message: 'boom' } });
    await assert.rejects(provider().createMeeting(request), (e: unknown) => e instanceof ProviderError && e.retryable && e.status === 500);
  });
});
