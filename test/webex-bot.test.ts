import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import nock from 'nock';
import { booking, jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { operationBodyProblems } from './openapi.ts';

const API = 'https://webex.test/v1';
const SECRET = 'webhook-secret-0123456789';
/**
 * POST /messages against the official document. Its `Attachment` schema describes file (ECM) content, while the same
 * document's request example — and the Cards guide — send cards as { contentType, content }: the card part is checked
 * against that example, the rest against the schema.
 */
function messageProblems(body: Record<string, any>): string[] {
  const { attachments, ...rest } = body;
  const problems = operationBodyProblems('webex-messaging-openapi.json', '/messages', 'post', rest);
  for (const a of attachments ?? []) {
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive' || a.content?.type !== 'AdaptiveCard')
      problems.push(`attachment is not an Adaptive Card: ${JSON.stringify(a).slice(0, 80)}`);
  }
  if ((attachments ?? []).length > 1) problems.push('only one card per message is supported');
  return problems;
}

const BOT = { id: 'P-BOT', emails: ['madoguchi@webex.bot'], displayName: 'madoguchi' };

describe('Webex staff bot (signed webhooks, nock)', function () {
  this.timeout(30_000);
  let s: TestServer;
  let posted: Array<Record<string, any>>;
  let deleted: string[];
  let n: number;

  const sign = (raw: string) => createHmac('sha1', SECRET).update(raw).digest('hex');
  async function hook(resource: 'messages' | 'attachmentActions', id: string, personId: string, signature?: string) {
    const raw = JSON.stringify({ id: 'WH1', resource, event: 'created', data: { id, personId, roomId: 'R' } });
    return fetch(`${s.url}/webhooks/webex`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-spark-signature': signature ?? sign(raw) },
      body: raw,
    });
  }
  function message(id: string, personId: string, text: string, roomId: string, roomType: 'direct' | 'group') {
    nock(API)
      .get(`/messages/${id}`)
      .reply(200, { id, roomId, roomType, personId, personEmail: `${personId}@city.example.jp`, text });
  }

  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });
  after(() => nock.enableNetConnect());
  beforeEach(async () => {
    posted = [];
    deleted = [];
    n = 0;
    s = await startTestServer('sqlite', {
      WEBEX_BOT_TOKEN: 'bot-token',
      WEBEX_WEBHOOK_SECRET: SECRET,
      WEBEX_API_BASE_URL: API,
      WEBEX_BOT_ALLOWED_DOMAINS: 'city.example.jp',
    });
    await s.running.store.db.updateTable('departments').set({ webex_room_id: 'ROOM-TAX' }).where('name', '=', '税務課').execute();
    nock(API).persist().get('/people/me').reply(200, BOT);
    nock(API)
      .persist()
      .get('/people/P-TANAKA')
      .reply(200, { id: 'P-TANAKA', displayName: '税務 田中', emails: ['tanaka@city.example.jp'] });
    nock(API)
      .persist()
      .get('/people/P-YAMAMOTO')
      .reply(200, { id: 'P-YAMAMOTO', displayName: '窓口 山本', emails: ['yamamoto@city.example.jp'] });
    nock(API)
      .persist()
      .get('/people/P-OUTSIDER')
      .reply(200, { id: 'P-OUTSIDER', displayName: 'Someone', emails: ['someone@gmail.com'] });
    nock(API, { reqheaders: { authorization: 'Bearer bot-token' } })
      .persist()
      .post('/messages', (b) => {
        posted.push(b);
        return true;
      })
      .reply(() => [200, { id: `MSG-${++n}` }]);
    // nock 15 hands a one-argument reply function the fetch Request.
    nock(API)
      .persist()
      .delete(/\/messages\/.+/)
      .reply((req: unknown) => {
        deleted.push(new URL((req as Request).url).pathname.split('/').at(-1)!);
        return [204, ''];
      });
  });
  afterEach(async () => {
    await s.close();
    nock.cleanAll();
  });

  it('refuses a missing or wrong signature with 401 and does nothing', async () => {
    assert.equal((await hook('messages', 'M0', 'P-TANAKA', 'deadbeef'.repeat(5))).status, 401);
    const raw = JSON.stringify({ id: 'WH1', resource: 'messages', event: 'created', data: { id: 'M0', personId: 'P-TANAKA' } });
    assert.equal((await fetch(`${s.url}/webhooks/webex`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw })).status, 401);
    assert.equal(
      (
        await fetch(`${s.url}/webhooks/webex`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-spark-signature': sign(raw) },
          body: raw.replace('M0', 'M9'),
        })
      ).status,
      401,
      'a body changed after signing',
    );
    assert.deepEqual(posted, []);
  });

  it('/relay 税務 相続の件 → the alert card in the tax space; accept → join details privately, card replaced; a redelivery does nothing', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課' }))).body;
    await s.running.worker.idle();
    s.clock.now = jst('2026-12-01', '10:05');

    message('M1', 'P-TANAKA', '/duty on 税務', 'DM-TANAKA', 'direct');
    assert.equal((await hook('messages', 'M1', 'P-TANAKA')).status, 200);
    assert.match(posted.at(-1)!.text, /税務課の当番を始めました/);
    assert.equal(posted.at(-1)!.roomId, 'DM-TANAKA');

    message('M2', 'P-YAMAMOTO', 'madoguchi /relay 税務 相続の件', 'ROOM-RECEPTION', 'group');
    await hook('messages', 'M2', 'P-YAMAMOTO');
    const answer = posted.find((p) => p.roomId === 'ROOM-RECEPTION')!;
    assert.match(answer.text, new RegExp(`税務課を呼び出しました（相談 #${c.id}`), 'the bot’s mention in a group space is stripped');

    await s.running.worker.idle();
    const alert = posted.find((p) => p.roomId === 'ROOM-TAX')!;
    assert.ok(alert, 'alert posted to the tax department space');
    assert.deepEqual(messageProblems(alert), []);
    assert.equal(alert.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(alert.attachments[0].content), /相続の件/);
    assert.match(alert.text, /@税務 田中/);
    assert.match(alert.markdown, /<@personId:P-TANAKA\|税務 田中>/, 'the on-duty member is really mentioned');
    const alertId = (
      await s.running.store.db
        .selectFrom('chat_messages')
        .select('platform_message_id')
        .where('platform', '=', 'webex')
        .where('purpose', '=', 'alert')
        .executeTakeFirstOrThrow()
    ).platform_message_id;
    const relayId = alert.attachments[0].content.actions[0].data.relayId;

    nock(API)
      .get('/attachment/actions/A1')
      .reply(200, { id: 'A1', personId: 'P-TANAKA', roomId: 'ROOM-TAX', messageId: alertId, inputs: { verb: 'accept', relayId } });
    await hook('attachmentActions', 'A1', 'P-TANAKA');
    assert.ok(
      posted.some((p) => p.roomId === 'ROOM-TAX' && /をお願いします/.test(p.text)),
      'the accept is answered where it was pressed',
    );
    await s.running.worker.idle();
    assert.deepEqual(deleted, [alertId], 'the alert card is taken back');
    const meeting = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body.meeting;
    const privateToTanaka = posted.find((p) => p.toPersonId === 'P-TANAKA')!;
    assert.ok(privateToTanaka.text.includes(meeting.joinUrl) && privateToTanaka.text.includes(meeting.password));
    assert.ok(
      posted.some((p) => p.roomId === 'ROOM-TAX' && /税務 田中さんが対応中です/.test(p.text)),
      'the space is told who took it',
    );
    assert.ok(
      posted.some((p) => p.toPersonId === 'P-YAMAMOTO' && /対応します/.test(p.text)),
      'the requester is told who is coming',
    );
    for (const p of posted) assert.deepEqual(messageProblems(p), []);

    const before = posted.length;
    assert.equal((await hook('attachmentActions', 'A1', 'P-TANAKA')).status, 200);
    await s.running.worker.idle();
    assert.equal(posted.length, before, 'a redelivered webhook is processed once');
  });

  it('serves only city staff: someone outside the allowed domains gets a polite refusal and no command runs', async () => {
    message('M7', 'P-OUTSIDER', '/duty on 税務', 'DM-OUT', 'direct');
    await hook('messages', 'M7', 'P-OUTSIDER');
    assert.match(posted.at(-1)!.text, /市の職員専用/);
    assert.equal((await s.running.store.db.selectFrom('staff').selectAll().execute()).length, 0);
  });

  it('a delivery that fails half-way is handled in full when Webex retries it', async () => {
    nock(API).get('/messages/M8').reply(403, { message: 'temporarily refused' });
    message('M8', 'P-TANAKA', '/help', 'DM-TANAKA', 'direct');
    const first = await hook('messages', 'M8', 'P-TANAKA');
    assert.equal(first.status, 500);
    const second = await hook('messages', 'M8', 'P-TANAKA');
    assert.equal(second.status, 200);
    assert.match(posted.at(-1)!.text, /使えるコマンド/);
  });

  it('ignores the bot’s own messages', async () => {
    assert.equal((await hook('messages', 'M5', 'P-BOT')).status, 200);
    assert.deepEqual(posted, []);
  });
});
