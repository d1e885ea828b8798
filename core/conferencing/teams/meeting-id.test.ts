import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sameTeamsMeeting, threadIdFromGraphMeetingId, threadIdFromTeamsContextMeetingId } from './meeting-id.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url'); // no padding
const graphId = (organizer: string, thread: string) => b64(`1*${organizer}*0**${thread}`);
const contextId = (thread: string) => b64(`0#${thread}#0`);

const ORGANIZER = '6702afb6-109b-4c32-a141-6e65469502b9';
const THREAD = '19:meeting_NWM1MTI5NzMtNjgzMy00YWQ4LThmOWQtZTg3MTBmOTg3YmUz@thread.v2';

describe('Teams meeting ids', () => {
  it('reads the published pair for one meeting (Teams docs, "Obtain meeting ID and organizer ID")', () => {
    // Bot Framework GET /v1/meetings/{id}: details.id (client form) and details.msGraphResourceId (Graph form).
    const client = 'MCMxOTptZWV0aW5nX05XTTFNVEk1TnpNdE5qZ3pNeTAwWVdRNExUaG1PV1F0WlRnM01UQm1PVGczWW1VekB0aHJlYWQudjIjMA==';
    const graph =
      'MSo2NzAyYWZiNi0xMDliLTRjMzItYTE0MS02ZTY1NDY5NTAyYjkqMCoqMTk6bWVldGluZ19OV00xTVRJNU56TXROamd6TXkwMFlXUTRMVGhtT1dRdFpUZzNNVEJtT1RnM1ltVXpAdGhyZWFkLnYy';
    assert.equal(threadIdFromGraphMeetingId(graph), THREAD);
    assert.equal(threadIdFromTeamsContextMeetingId(client), THREAD);
    assert.equal(sameTeamsMeeting(graph, client), true);
    // The same, built here.
    assert.equal(graphId(ORGANIZER, THREAD), graph);
    assert.equal(contextId(THREAD), client);
  });

  it('reads the getContext meetingId next to its Graph id (microsoft-teams-library-js#539)', () => {
    const sdk = 'MCMxOTptZWV0aW5nX05USTRNakEzT0dVdFl6TTNZUzAwWVRCbUxUa3lPR010TmpOaFpUSmhPVGswTldReEB0aHJlYWQudjIjMA==';
    const graph =
      'MSpkYWY2MmNjOC1lZTJkLTQxN2ItODg4NC1iY2Y0MGM0MTI5YzMqMCoqMTk6bWVldGluZ19OVEk0TWpBM09HVXRZek0zWVMwMFlUQm1MVGt5T0dNdE5qTmhaVEpoT1RrME5XUXhAdGhyZWFkLnYy';
    assert.equal(sameTeamsMeeting(graph, sdk), true);
    assert.equal(threadIdFromTeamsContextMeetingId(sdk), '19:meeting_NTI4MjA3OGUtYzM3YS00YTBmLTkyOGMtNjNhZTJhOTk0NWQx@thread.v2');
  });

  it('takes base64 with or without padding, base64url, surrounding spaces and URL-encoding', () => {
    const g = `1*${ORGANIZER}*0**${THREAD}`;
    const c = `0#${THREAD}#0`;
    for (const graph of [b64(g), b64(g).replace(/=+$/, ''), b64url(g), ` ${b64(g)}\n`, encodeURIComponent(b64(g))]) {
      assert.equal(threadIdFromGraphMeetingId(graph), THREAD, graph);
    }
    for (const ctx of [b64(c), b64(c).replace(/=+$/, ''), b64url(c), encodeURIComponent(b64(c))]) {
      assert.equal(threadIdFromTeamsContextMeetingId(ctx), THREAD, ctx);
    }
  });

  it('accepts the chat id (the thread id itself) as the context id, plain or URL-encoded', () => {
    assert.equal(threadIdFromTeamsContextMeetingId(THREAD), THREAD);
    assert.equal(threadIdFromTeamsContextMeetingId(encodeURIComponent(THREAD)), THREAD);
    assert.equal(sameTeamsMeeting(graphId(ORGANIZER, THREAD), THREAD), true);
    assert.equal(threadIdFromGraphMeetingId(THREAD), null, 'a bare thread id is not a Graph meeting id');
  });

  it('tells different meetings apart, and does not mix up the two forms', () => {
    const other = '19:meeting_ZjA2YWY2ODgtZjkxMC00Yzc1LWI4NWEtOGYzMTk1MWJkOGI3@thread.v2';
    assert.equal(sameTeamsMeeting(graphId(ORGANIZER, THREAD), contextId(other)), false);
    assert.equal(threadIdFromGraphMeetingId(contextId(THREAD)), null);
    assert.equal(threadIdFromTeamsContextMeetingId(graphId(ORGANIZER, THREAD)), null);
    assert.equal(sameTeamsMeeting(contextId(THREAD), graphId(ORGANIZER, THREAD)), false, 'arguments the wrong way round');
  });

  it('returns null for malformed ids', () => {
    const bad = [
      '',
      ' ',
      'not base64!',
      'MSo', // truncated
      'A', // impossible length
      'QUJD=', // padding that does not complete a quantum
      '%E0%A4%A', // broken URL-encoding
      b64('hello'),
      b64(`1*not-a-guid*0**${THREAD}`),
      b64(`1*${ORGANIZER}*0**`),
      b64(`1*${ORGANIZER}*0**19:meeting_x@thread.v2#0`),
      b64(`1*${ORGANIZER}*0**20:meeting_x@thread.v2`),
      b64(`0#${THREAD}`),
      b64(`0#19:meeting_x#0`),
      b64(`0#19:meeting x@thread.v2#0`),
      b64(`0#${THREAD}#0`).slice(0, 20),
      Buffer.from([0x30, 0x23, 0xff, 0xfe]).toString('base64'), // not UTF-8
      '19:meeting_x@thread.v2#0',
      'x'.repeat(10_000),
    ];
    for (const id of bad) {
      assert.equal(threadIdFromGraphMeetingId(id), null, JSON.stringify(id));
      assert.equal(threadIdFromTeamsContextMeetingId(id), null, JSON.stringify(id));
      assert.equal(sameTeamsMeeting(id, id), false);
    }
    // From untyped callers (JSON, query strings).
    for (const v of [undefined, null, 42, {}]) {
      assert.equal(threadIdFromGraphMeetingId(v as unknown as string), null);
      assert.equal(threadIdFromTeamsContextMeetingId(v as unknown as string), null);
    }
  });

  const threadArb = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9_=+/-]{1,60}$/), fc.constantFrom('meeting_', ''), fc.constantFrom('v2', 'skype', 'tacv2'))
    .map(([body, prefix, kind]) => `19:${prefix}${body}@thread.${kind}`);

  it('property: both forms of any meeting map back to its thread id and match each other', () => {
    fc.assert(
      fc.property(fc.uuid(), threadArb, fc.boolean(), (organizer, thread, url) => {
        const enc = url ? b64url : b64;
        const g = enc(`1*${organizer}*0**${thread}`);
        const c = enc(`0#${thread}#0`);
        assert.equal(threadIdFromGraphMeetingId(g), thread);
        assert.equal(threadIdFromTeamsContextMeetingId(c), thread);
        assert.equal(threadIdFromTeamsContextMeetingId(thread), thread);
        assert.ok(sameTeamsMeeting(g, c));
      }),
    );
  });

  it('property: never throws, and anything accepted decodes to a thread id', () => {
    const anyText = fc.oneof(fc.string(), fc.string().map(b64), fc.base64String(), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        for (const t of [threadIdFromGraphMeetingId(a), threadIdFromTeamsContextMeetingId(a)]) {
          assert.ok(t === null || /^19:.+@thread\.[a-z0-9]+$/i.test(t));
        }
        assert.equal(typeof sameTeamsMeeting(a, b), 'boolean');
      }),
    );
  });
});
