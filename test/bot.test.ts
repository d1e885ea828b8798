import assert from 'node:assert/strict';
import { handleAction, handleMessage } from '../bot/index.ts';
import type { BotDeps, Sender } from '../bot/index.ts';
import { feed } from '../core/chat.ts';
import { COMMAND_HELP } from '../bot/commands.ts';
import { parseDate } from '../bot/parse.ts';
import { booking, botDeps, jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const reception: Sender = { platform: 'console', userId: 'u-reception', displayName: '受付 山本' };
const taxA: Sender = { platform: 'console', userId: 'u-tax-a', displayName: '税務 田中' };
const taxB: Sender = { platform: 'console', userId: 'u-tax-b', displayName: '税務 佐藤' };

describe('staff bot core (console platform)', function () {
  this.timeout(30_000);
  let s: TestServer;
  let deps: BotDeps;
  const say = (who: Sender, text: string) => handleMessage(deps, who, text);

  async function staffId(who: Sender): Promise<string> {
    return (await s.running.store.db.selectFrom('staff').select('id').where('platform_user_id', '=', who.userId).executeTakeFirstOrThrow()).id;
  }
  async function departmentId(name: string): Promise<string> {
    return (await s.running.store.db.selectFrom('departments').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  }

  beforeEach(async () => {
    s = await startTestServer('sqlite');
    deps = botDeps(s);
  });
  /** A consultation on 12/1 at 10:00, relayed to 税務 at 10:05 with `onDuty` on duty, its alert posted. */
  async function relayedToTax(onDuty: Sender[]): Promise<{ id: string }> {
    const c = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課' }))).body;
    await s.running.worker.idle();
    for (const who of onDuty) await say(who, '/duty on 税務');
    s.clock.now = jst('2026-12-01', '10:05');
    assert.match((await say(reception, `/relay 税務 #${c.id}`)).text, /税務課を呼び出しました/);
    await s.running.worker.idle();
    return c;
  }
  afterEach(async () => {
    await s.close();
  });

  it('/help lists every command with an example; unknown input gets a suggestion, never silence', async () => {
    const help = await say(reception, '/help');
    for (const c of COMMAND_HELP) assert.ok(help.text.includes(c.example), c.name);
    assert.match((await say(reception, '/rely 税務')).text, /もしかして: \/relay/);
    assert.match((await say(reception, '   ')).text, /\/help/);
  });

  it('/duty registers the department; /relay alone lists departments with who is on duty', async () => {
    assert.match((await say(taxA, '/duty on 税務')).text, /税務課の当番を始めました/);
    assert.match((await say(taxA, '/duty maybe')).text, /on か off/);
    assert.match((await say(taxA, '/duty on ぜいむ')).text, /見つかりません/);
    const list = await say(reception, '/relay');
    assert.match(list.text, /税務課（税務、税） 当番: 税務 田中/);
  });

  it('/relay 税務 → alert in the tax feed mentioning who is on duty; first accept wins; join details privately; requester told', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課' }))).body;
    await s.running.worker.idle();
    await say(taxA, '/duty on 税務');
    await say(taxB, '/duty on 税務');
    s.clock.now = jst('2026-12-01', '10:05');
    const asked = await say(reception, '／relay　税務　相続の件');
    assert.match(asked.text, new RegExp(`税務課を呼び出しました（相談 #${c.id}、1番目）`));
    await s.running.worker.idle();
    const tax = await departmentId('税務課');
    const alerts = await feed(s.running.store.db, 'console', [`dept:${tax}`]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]!.text, /@税務 田中/);
    assert.match(alerts[0]!.text, /@税務 佐藤/);
    assert.match(alerts[0]!.text, /依頼: 受付 山本さん/);
    assert.match(alerts[0]!.text, /相続の件/);
    assert.match(JSON.stringify(alerts[0]!.card), new RegExp(`#${c.id}（一般の相談）`), 'the type by its name, not its key');
    const relayId = (alerts[0]!.card!.actions as Array<{ data: { relayId: string } }>)[0]!.data.relayId;

    const [a, b] = await Promise.all([handleAction(deps, taxA, { verb: 'accept', relayId }), handleAction(deps, taxB, { verb: 'accept', relayId })]);
    const texts = [a.text, b.text];
    assert.equal(texts.filter((t) => /をお願いします/.test(t)).length, 1, 'one winner');
    assert.equal(texts.filter((t) => /すでに税務 (田中|佐藤)さんが対応しています/.test(t)).length, 1, 'the other is told who took it');
    await s.running.worker.idle();
    const after = await feed(s.running.store.db, 'console', [`dept:${tax}`]);
    assert.ok(after[0]!.removed, 'the alert card is taken back');
    assert.match(after.at(-1)!.text, /さんが対応中です/);
    const winner = /をお願いします/.test(a.text) ? taxA : taxB;
    const dm = await feed(s.running.store.db, 'console', [`staff:${await staffId(winner)}`]);
    const meeting = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body.meeting;
    assert.ok(dm.at(-1)!.text.includes(meeting.joinUrl) && dm.at(-1)!.text.includes(meeting.password), 'join link and password, privately');
    const requesterDm = await feed(s.running.store.db, 'console', [`staff:${await staffId(reception)}`]);
    assert.match(requesterDm.at(-1)!.text, /税務課の(田中|佐藤)さんが対応します/, 'named once beside the department');

    assert.match((await say(winner, '/done')).text, /おつなぎを終えました/);
    await s.running.worker.idle();
    assert.match((await feed(s.running.store.db, 'console', [`staff:${await staffId(reception)}`])).at(-1)!.text, /対応が終わりました/);
    const done = await feed(s.running.store.db, 'console', [`dept:${tax}`]);
    assert.ok(done.find((i) => /さんが対応中です/.test(i.text))!.removed, '"対応中" is taken back once it is over');
    assert.match(done.at(-1)!.text, /対応が終わりました/);
  });

  it('/decline tells the requester, who can relay elsewhere from the card', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課' }))).body;
    await s.running.worker.idle();
    await say(taxA, '/duty on 税務');
    s.clock.now = jst('2026-12-01', '10:05');
    await say(reception, `/relay 税務 #${c.id}`);
    assert.match((await say(taxA, '/decline')).text, /呼び出した皆さんが対応できない/);
    assert.match((await say(taxA, '/decline')).text, /呼び出しはありません/);
    await s.running.worker.idle();
    const options = (await feed(s.running.store.db, 'console', [`staff:${await staffId(reception)}`])).at(-1)!;
    assert.match(options.text, /税務課は今は対応できません/);
    const reroute = (options.card!.actions as Array<{ data: Record<string, string> }>).find((a) => a.data.verb === 'reroute')!;
    assert.match((await handleAction(deps, reception, { ...reroute.data, department: '資産税' })).text, /資産税課を呼び出しました/);
  });

  it('one of two on duty declines: the relay stays open, the requester hears who cannot, and the other still accepts', async () => {
    await relayedToTax([taxA, taxB]);
    assert.match((await say(taxA, '/decline')).text, /「対応できない」と記録しました/);
    assert.match((await say(taxA, '/decline')).text, /すでに「対応できない」と記録/);
    await s.running.worker.idle();
    const tax = await departmentId('税務課');
    const alert = (await feed(s.running.store.db, 'console', [`dept:${tax}`]))[0]!;
    assert.ok(!alert.removed, 'the alert stays up for the other');
    assert.match((await feed(s.running.store.db, 'console', [`staff:${await staffId(reception)}`])).at(-1)!.text, /税務 田中さんは対応できません/);
    assert.match((await say(taxB, '/accept')).text, /をお願いします/);
    await s.running.worker.idle();
    assert.match((await say(reception, '/queue')).text, /応答待ちのおつなぎはありません/);
    assert.match((await feed(s.running.store.db, 'console', [`staff:${await staffId(reception)}`])).at(-1)!.text, /税務課の佐藤さんが対応します/);
  });

  it('a retried accepted-notice sends the join details once', async () => {
    const c = await relayedToTax([taxA]);
    // The requester's platform fails once, after the accepter was sent the join details: the job runs again.
    const consolePlatform = s.running.chat.console as { sendToStaff: (...a: unknown[]) => Promise<string | null> };
    const send = consolePlatform.sendToStaff.bind(consolePlatform);
    const requester = await staffId(reception);
    let failures = 0;
    consolePlatform.sendToStaff = async (...a: unknown[]) => {
      if ((a[0] as { id: string }).id === requester && failures++ === 0) throw new Error('chat platform unavailable');
      return send(...a);
    };
    assert.match((await say(taxA, '/accept')).text, /をお願いします/);
    await s.running.worker.idle();
    assert.equal(failures, 1);
    s.clock.now += 60 * 60_000;
    await s.running.worker.idle();
    const dm = await feed(s.running.store.db, 'console', [`staff:${await staffId(taxA)}`]);
    assert.equal(dm.filter((m) => m.text.includes(`相談 #${c.id} をお願いします`)).length, 1, 'join details once');
    assert.match((await feed(s.running.store.db, 'console', [`staff:${requester}`])).at(-1)!.text, /税務課の田中さんが対応します/);
    const job = await s.running.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', 'relay.notify')
      .where('attempts', '>', 1)
      .executeTakeFirstOrThrow();
    assert.equal(job.status, 'done');
  });

  it('cancelling a consultation ends its relay: nobody is sent to a cancelled meeting', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課' }))).body;
    await s.running.worker.idle();
    await say(taxA, '/duty on 税務');
    s.clock.now = jst('2026-12-01', '10:00');
    await say(reception, `/relay 税務 #${c.id}`);
    await s.running.worker.idle();
    await say(reception, `/cancel #${c.id}`);
    assert.match((await say(reception, '/queue')).text, /応答待ちのおつなぎはありません/);
    assert.match((await say(taxA, '/accept')).text, /呼び出しはありません/);
    await s.running.worker.idle();
    const tax = await departmentId('税務課');
    const items = await feed(s.running.store.db, 'console', [`dept:${tax}`]);
    assert.ok(items[0]!.removed, 'the alert is taken back');
    assert.match(items.at(-1)!.text, /取り消されました/);
    const audit = (await s.call('GET', `/api/v1/consultations/${c.id}/audit`)).body.entries as Array<{
      action: string;
      actor: string;
      after: { status?: string };
    }>;
    const ended = audit.find((e) => e.action === 'relay.cancelled');
    assert.ok(ended, 'the relay’s end is audited with the cancellation');
    assert.equal(ended.after.status, 'cancelled');
    assert.ok(ended.actor.length > 0);
    assert.ok(audit.findIndex((e) => e.action === 'consultation.cancelled') >= 0);
  });

  it('asks which consultation when several are open, and relays the chosen one', async () => {
    await s.call('POST', '/api/v1/hosts', { displayName: '相談用PC 2', provider: 'dryrun', account: 'pc-2' });
    const c1 = (await s.call('POST', '/api/v1/consultations', booking())).body;
    const c2 = (await s.call('POST', '/api/v1/consultations', booking({ citizen: { name: '佐藤花子', email: 'sato@example.jp' } }))).body;
    const later = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T14:00:00+09:00' }))).body;
    await s.running.worker.idle();
    s.clock.now = jst('2026-12-01', '09:50');
    const r = await say(reception, '/relay 福祉');
    assert.ok(r.card, 'a card to choose from');
    // One choice of the consultations and one button (Webex shows at most five buttons; seven may be open).
    const choice = (r.card!.body as Array<{ id?: string; choices?: Array<{ value: string }> }>).find((b) => b.id === 'consultationId')!;
    assert.deepEqual(choice.choices!.map((c) => c.value).sort(), [c1.id, c2.id].sort(), 'the two happening now, not the one at 14:00');
    const buttons = r.card!.actions as Array<{ title: string; data: Record<string, string> }>;
    assert.equal(buttons.length, 1);
    const chosenId = choice.choices![1]!.value;
    const chosen = await handleAction(deps, reception, { ...buttons[0]!.data, consultationId: chosenId });
    assert.match(chosen.text, new RegExp(`福祉課を呼び出しました（相談 #${chosenId}`));
    assert.match((await say(reception, `/relay 年金 #${chosenId}`)).text, /すでにほかの課へおつなぎ中/);
    assert.match((await say(reception, `/relay 福祉 #${later.id}`)).text, /14:00 からです。おつなぎは、相談が始まる15分前からできます/, 'not one later today');
    assert.match((await say(reception, `/relay 税務 #${c1.id}`)).text, /もともと税務課の相談です/, 'not to its own department');
  });

  it('escalates after 3 minutes: everyone is alerted again and the requester is offered to wait, re-route or cancel', async () => {
    await relayedToTax([taxA]);
    s.clock.now += 3 * 60_000;
    await s.running.worker.idle();
    const tax = await departmentId('税務課');
    const alerts = await feed(s.running.store.db, 'console', [`dept:${tax}`]);
    assert.equal(alerts.length, 2);
    assert.equal(alerts[1]!.purpose, 'alert-escalated');
    const options = (await feed(s.running.store.db, 'console', [`staff:${await staffId(reception)}`])).at(-1)!;
    assert.match(options.text, /まだ応答がありません（3分）/);
    const rerouteAction = (options.card!.actions as Array<{ data: Record<string, string> }>).find((a) => a.data.verb === 'reroute')!;
    const moved = await handleAction(deps, reception, { ...rerouteAction.data, department: '福祉課' });
    assert.match(moved.text, /福祉課を呼び出しました/);
    assert.match((await say(reception, '/queue')).text, /福祉課 1番目/);
  });

  it('/book inline, /today, /status, /move and /cancel, with helpful replies to bad input', async () => {
    const booked = await say(reception, '/book 12/1 10:00 60 山田太郎 yamada@example.jp 税務 固定資産税');
    const id = /#([0-9A-Z]{8})/.exec(booked.text)![1]!;
    assert.match(booked.text, /予約しました/);
    assert.match((await say(reception, '/book 12/1 10:30 60 佐藤花子 sato@example.jp 税務')).text, /すでに予約があります/);
    assert.match((await say(reception, '/book 12/1 25:00 60 佐藤花子 sato@example.jp 税務')).text, /時刻を読み取れません/);
    assert.match((await say(reception, '/book 12/1 10:00 60 佐藤花子 not-an-email 税務')).text, /メールアドレス/);
    assert.match((await say(reception, '/book 12/5 10:00 60 佐藤花子 sato@example.jp 税務')).text, /土曜日のため閉庁日/);
    const spaced = await say(reception, '/book 2026/12/2 10:00 60 佐藤 花子 sato@example.jp 税務 相続の件');
    assert.match(spaced.text, /予約しました: #[0-9A-Z]+ 2026年12月2日（水）10:00（60分）税務課 佐藤 花子様/, 'a name with a space, a date with its year');
    assert.match((await say(reception, '/today 明日')).text, /2026年11月25日（水） の相談はありません/);
    const form = await say(reception, '/book');
    assert.ok(form.card);
    assert.match((await say(reception, '/today 12/1')).text, new RegExp(`10:00–11:00 #${id} 税務課 山田太郎様`));
    s.clock.now = jst('2026-12-01', '10:10');
    assert.match((await say(reception, '/status')).text, new RegExp(`使用中（#${id} 11:00まで）`));
    s.clock.now = jst('2026-11-24', '09:00');
    assert.match((await say(reception, `/move #${id} 12/2 13:00`)).text, /2026年12月2日（水）13:00 に変更しました/);
    assert.match((await say(reception, '/move 12/2')).text, /番号・日付・時刻/);
    assert.match((await say(reception, `/cancel #${id} 本人の都合`)).text, /取り消しました/);
    assert.match((await say(reception, `/cancel #${id}`)).text, /取消済み/);
  });

  it('a duty ends by itself at DUTY_ENDS_AT, or at the end of the day when started after it', async () => {
    const at = async (time: string, date = '2026-12-01') => {
      s.clock.now = jst(date, time);
      s.running.worker.wake();
      await s.running.worker.idle();
    };
    await at('10:00');
    assert.match((await say(taxA, '/duty on 税務')).text, /当番は2026年12月1日（火）17:30に自動で終わります/);
    assert.match((await say(reception, '/status')).text, /当番: 税務課: 税務 田中/);
    await at('17:31');
    assert.match((await say(reception, '/status')).text, /当番: いません/);
    assert.match((await say(taxA, '/duty on 税務')).text, /当番は2026年12月2日（水）0?0:00に自動で終わります/, 'after hours: until the end of the day');
    await say(taxA, '/duty off');
    await at('20:00');
    await say(taxA, '/duty on');
    await at('23:59');
    assert.match((await say(reception, '/status')).text, /当番: 税務課: 税務 田中/, 'on again after hours: until the end of the day');
    await at('00:01', '2026-12-02');
    assert.match((await say(reception, '/status')).text, /当番: いません/);
  });

  it('the /book form offers each free time once across hosts, from the staff member’s own department, and says when nothing is free', async () => {
    for (const n of [2, 3]) await s.call('POST', '/api/v1/hosts', { displayName: `相談用PC ${n}`, provider: 'dryrun', account: `pc-${n}` });
    await say(taxA, '/duty on 税務');
    const form = await say(taxA, '/book');
    const body = form.card!.body as Array<{ id?: string; value?: string; choices?: Array<{ title: string; value: string }> }>;
    const slot = body.find((b) => b.id === 'slot')!;
    const values = slot.choices!.map((c) => c.value);
    assert.equal(new Set(values).size, values.length, 'each time once, though three hosts are free');
    assert.equal(values[0], '2026-11-24 11:00', 'the first time with two hours’ notice');
    assert.ok(
      values.some((v) => v.startsWith('2026-11-25 ')),
      'and the days after, not one day only',
    );
    assert.equal(slot.choices![0]!.title, '2026年11月24日（火）11:00');
    assert.equal(body.find((b) => b.id === 'department')!.value, '税務課', 'their own department first');
    const booked = await handleAction(deps, taxA, {
      verb: 'book',
      slot: '2026-11-25 10:00',
      duration: '30',
      department: '税務課',
      name: '山田 太郎',
      email: 'y@example.jp',
    });
    assert.match(booked.text, /予約しました: #[0-9A-Z]+ 2026年11月25日（水）10:00（30分）税務課 山田 太郎様/);
    assert.equal(
      (
        await s.call('POST', '/api/v1/calendar/exceptions', {
          kind: 'closed',
          startDate: '2026-11-24',
          endDate: '2026-12-09',
          note: '庁舎の改修',
          consultations: 'keep',
        })
      ).status,
      201,
    );
    const none = await say(taxA, '/book');
    assert.match(none.text, /14日先まで、空いている時間がありません/);
    assert.equal(none.card!.actions, undefined, 'no button that cannot work');
  });

  it('reads dates as staff type them', () => {
    const now = jst('2026-11-24', '09:00');
    assert.equal(parseDate('12/1', now), '2026-12-01');
    assert.equal(parseDate('１２月１日', now), '2026-12-01');
    assert.equal(parseDate('11/1', now), '2027-11-01', 'a date already past means next year');
    assert.equal(parseDate('2/30', now), null);
  });
});
