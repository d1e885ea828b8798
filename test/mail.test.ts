import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { createSmtpTransport } from '../templates/mail.ts';
import type { MailTransport, OutgoingMail } from '../templates/mail.ts';
import { TEST_NOW, booking, jst, openTestStore, startTestServer, testConfig } from './helpers.ts';
import { createIdSource } from '../core/ids.ts';
import { ensureConfiguredHosts } from '../scheduler/hosts.ts';
import { saveDepartment, seedDepartments } from '../scheduler/departments.ts';
import { bookConsultation } from '../scheduler/consultations.ts';
import type { TestServer } from './helpers.ts';
import { CONSENT_VERSION } from '../embedded-app/state/content.ts';

/** A real SMTP server in this process; every message it accepts, parsed. `refuse` answers RCPT TO with that code. */
async function smtpSink(refuse?: { code: number; text: string }): Promise<{ url: string; messages: ParsedMail[]; close(): Promise<void> }> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, callback) {
      callback(refuse ? Object.assign(new Error(refuse.text), { responseCode: refuse.code }) : undefined);
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((m) => {
        messages.push(m);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A test server whose mail goes to a real SMTP server in this process (refusing with `refuse`, if given); both closed afterwards. */
async function withMailServer<T>(
  env: Record<string, string>,
  run: (s: TestServer, sink: Awaited<ReturnType<typeof smtpSink>>) => Promise<T>,
  refuse?: { code: number; text: string },
): Promise<T> {
  const sink = await smtpSink(refuse);
  const s = await startTestServer('sqlite', { SMTP_URL: sink.url, ...env });
  try {
    return await run(s, sink);
  } finally {
    await s.close();
    await sink.close();
  }
}

function icsOf(m: ParsedMail): string {
  const part = m.attachments.find((a) => a.contentType.startsWith('text/calendar') || a.contentType === 'application/ics');
  assert.ok(part, `an .ics part in "${m.subject}"`);
  return part.content.toString('utf8');
}

const icsField = (ics: string, name: string) => new RegExp(`^${name}[^:]*:(.*)$`, 'm').exec(ics)?.[1]?.trim();

describe('email to citizens', function () {
  this.timeout(30_000);
  let s: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  beforeEach(async () => {
    sink = await smtpSink();
    s = await startTestServer('sqlite', {
      SMTP_URL: sink.url,
      MAIL_FROM: '"さぬき市 オンライン相談" <soudan@city.example.jp>',
      CITY_NAME: 'さぬき市',
      CITY_CONTACT: '健康福祉部 0879-00-0000',
      CITY_EMAIL: 'kenko@city.example.jp',
    });
  });
  afterEach(async () => {
    await s.close();
    await sink.close();
  });

  it('the invitation arrives with a Japanese subject, both parts, the meeting details, Japan time, and an .ics that matches', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    const meeting = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body.meeting;
    assert.equal(sink.messages.length, 1);
    const m = sink.messages[0]!;
    assert.equal(m.subject, '【さぬき市】オンライン相談のご案内（2026年12月1日（火） 10:00）');
    assert.equal((m.to as { value: Array<{ address: string }> }).value[0]!.address, 'yamada@example.jp');
    const grouped = meeting.meetingNumber.replace(/(\d{3})(?=\d)/g, '$1 ');
    for (const part of [m.text!, m.html as string]) {
      assert.ok(part.includes(grouped), 'meeting number, grouped');
      assert.ok(part.includes(meeting.password), 'password');
      assert.ok(part.includes(meeting.joinUrl), 'join link');
      assert.match(part, /令和8年12月1日（火）/);
      assert.match(part, /10:00〜11:00/);
      assert.match(part, /録画・録音しないでください/);
      assert.match(part, /ほかの人に教えないでください/);
    }
    assert.match(m.text!, /山田太郎 様/);
    assert.match(m.text!, /試験運用/, 'a dry-run meeting says so');
    const ics = icsOf(m);
    assert.equal(icsField(ics, 'METHOD'), 'REQUEST');
    assert.equal(icsField(ics, 'UID'), `${c.id}@madoguchi`);
    assert.equal(icsField(ics, 'SEQUENCE'), '1');
    // 10:00–11:00 in Tokyo, written in UTC, whatever the server's own zone.
    assert.equal(icsField(ics, 'DTSTART'), '20261201T010000Z');
    assert.equal(icsField(ics, 'DTEND'), '20261201T020000Z');
    assert.equal(icsField(ics, 'X-WR-TIMEZONE'), 'Asia/Tokyo');
    assert.ok(ics.replace(/\r?\n /g, '').includes(meeting.joinUrl), 'the join link is in the calendar entry');
    assert.equal((await s.call('GET', `/api/v1/consultations/${c.id}`)).body.status, 'invited');
  });

  it('a change sends SEQUENCE+1 with the old and new times; a cancellation sends METHOD:CANCEL', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    const before = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body.version;
    const same = await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-01T10:00:00+09:00', durationMinutes: 60 });
    assert.equal(same.status, 200);
    assert.equal(same.body.version, before, 'a change that changes nothing writes nothing');
    await s.running.worker.idle();
    assert.equal(sink.messages.length, 1, 'and sends nothing');
    await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-02T13:00:00+09:00' });
    await s.running.worker.idle();
    assert.equal(sink.messages.length, 2);
    const change = sink.messages[1]!;
    assert.match(change.subject!, /日時が変わりました/);
    assert.match(change.text!, /変更前/);
    assert.match(change.text!, /令和8年12月1日（火） 10:00〜11:00/);
    assert.match(change.text!, /令和8年12月2日（水） 13:00〜14:00/);
    assert.equal(icsField(icsOf(change), 'SEQUENCE'), '2');
    const unfolded = icsOf(change).replace(/\r?\n /g, '');
    assert.equal(icsField(unfolded, 'SUMMARY'), 'さぬき市 税務課 オンライン相談', 'the event is the consultation, not the mail’s subject');
    const meeting = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body.meeting;
    assert.ok(icsField(unfolded, 'DESCRIPTION')!.includes(`パスワード: ${meeting.password}`), 'the number and password, as the mail has them');
    assert.match(icsField(unfolded, 'DESCRIPTION')!, /ミーティング番号: \d{3} \d{3}/);
    assert.match(icsField(unfolded, 'ORGANIZER')!, /mailto:kenko@city\.example\.jp/, 'the city’s address, not no-reply');
    assert.equal(icsField(icsOf(change), 'DTSTART'), '20261202T040000Z');
    await s.call('POST', `/api/v1/consultations/${c.id}/cancel`, { reason: 'ご本人のご都合' });
    await s.running.worker.idle();
    assert.equal(sink.messages.length, 3);
    const cancel = sink.messages[2]!;
    assert.match(cancel.subject!, /取り消しました/);
    assert.match(cancel.text!, /ご本人のご都合/);
    const ics = icsOf(cancel);
    assert.equal(icsField(ics, 'METHOD'), 'CANCEL');
    assert.equal(icsField(ics, 'SEQUENCE'), '3');
    assert.equal(icsField(ics, 'UID'), `${c.id}@madoguchi`);
  });

  it('a move then a cancel at once: the cancellation names the date the citizen was last sent, never one they were not', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    assert.equal(sink.messages.length, 1);
    assert.equal((await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-02T13:00:00+09:00' })).status, 200);
    assert.equal((await s.call('POST', `/api/v1/consultations/${c.id}/cancel`, { reason: 'ご本人のご都合' })).status, 200);
    await s.running.worker.idle();
    const cancel = sink.messages.at(-1)!;
    assert.match(cancel.subject!, /取り消しました/);
    const before = sink.messages.slice(0, -1);
    const lastTold = /令和8年12月2日（水） 13:00/.test(before.at(-1)!.text!) ? '令和8年12月2日（水） 13:00' : '令和8年12月1日（火） 10:00';
    assert.ok(cancel.text!.includes(lastTold), `the cancellation names ${lastTold}, the date last sent`);
    for (const told of ['令和8年12月1日（火） 10:00', '令和8年12月2日（水） 13:00'])
      if (told !== lastTold) assert.ok(!cancel.text!.includes(told), `and not ${told}`);
    assert.match(cancel.subject!, lastTold.includes('12月2日') ? /12月2日/ : /12月1日/);
    assert.equal(icsField(icsOf(cancel), 'METHOD'), 'CANCEL');
  });

  it('sends reminders at their time, and none for a cancelled or moved consultation', async () => {
    const _kept = (await s.call('POST', '/api/v1/consultations', booking())).body;
    const cancelled = (
      await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T13:00:00+09:00', citizen: { name: '佐藤花子', email: 'sato@example.jp' } }))
    ).body;
    const moved = (
      await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T15:00:00+09:00', citizen: { name: '鈴木一郎', email: 'suzuki@example.jp' } }))
    ).body;
    await s.running.worker.idle();
    assert.equal(sink.messages.length, 3, 'three invitations');
    await s.call('POST', `/api/v1/consultations/${cancelled.id}/cancel`, {});
    await s.call('PATCH', `/api/v1/consultations/${moved.id}`, { start: '2026-12-03T15:00:00+09:00' });
    await s.running.worker.idle();
    const before = sink.messages.length; // + cancellation + change
    assert.equal(before, 5);
    s.clock.now = jst('2026-11-30', '10:01'); // the day before at 10:00 has passed
    await s.running.worker.idle();
    const reminders = sink.messages.slice(before);
    assert.deepEqual(
      reminders.map((m) => (m.to as { value: Array<{ address: string }> }).value[0]!.address),
      ['yamada@example.jp'],
    );
    assert.match(reminders[0]!.subject!, /お知らせ/);
    assert.equal(reminders[0]!.attachments.length, 0, 'no calendar entry on a reminder');
    s.clock.now = jst('2026-12-01', '09:01'); // one hour before the 10:00 consultation
    await s.running.worker.idle();
    assert.equal(sink.messages.length, before + 2);
    s.clock.now = jst('2026-12-02', '15:00'); // the moved one's reminder day
    await s.running.worker.idle();
    assert.equal(sink.messages.at(-1)!.subject, '【さぬき市】オンライン相談のお知らせ（2026年12月3日（木） 15:00）');
    assert.equal(
      sink.messages.filter((m) => (m.to as { value: Array<{ address: string }> }).value[0]!.address === 'sato@example.jp').length,
      2,
      'invitation and cancellation only',
    );
  });

  it('an English-speaking citizen gets the English invitation', async () => {
    await s.call('POST', '/api/v1/consultations', booking({ citizen: { name: 'Anna Smith', email: 'anna@example.com', locale: 'en' } }));
    await s.running.worker.idle();
    assert.equal(sink.messages[0]!.subject, '[さぬき市] Your online consultation: Tue 1 Dec 2026, 10:00 (Japan time)');
    assert.match(sink.messages[0]!.text!, /Dear Anna Smith/);
  });
});

describe('whom the citizen calls', function () {
  this.timeout(30_000);

  it('every mail with a time to come carries the current personal link, which follows a move, and the contact', async () => {
    await withMailServer({ CITY_NAME: 'さぬき市', CITY_CONTACT: '健康福祉部 0879-00-0000' }, async (s, sink) => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      const linkIn = (m: ParsedMail) => {
        const found = /(http:\/\/\S+\/app\/c\/\S+)/.exec(m.text!);
        assert.ok(found, `the personal link in "${m.subject}"`);
        assert.ok((m.html as string).includes(found[1]!), 'in both parts');
        return found[1]!.replace(s.config.publicBaseUrl, s.url);
      };
      const first = linkIn(sink.messages[0]!);
      assert.match(sink.messages[0]!.text!, /税務課（健康福祉部 0879-00-0000）までご連絡ください/, 'the city’s contact, for a department without its own');
      assert.equal((await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-03T13:00:00+09:00' })).status, 200);
      await s.running.worker.idle();
      const change = sink.messages[1]!;
      assert.match(change.subject!, /日時が変わりました/);
      linkIn(change);
      s.clock.now = jst('2026-12-02', '13:01'); // the reminder the day before the new time
      await s.running.worker.idle();
      const reminder = sink.messages.at(-1)!;
      assert.match(reminder.subject!, /お知らせ/);
      linkIn(reminder);
      assert.match(reminder.text!, /0879-00-0000/);
      // The link of the first mail now lives until three days after the new end, not after the old one (12/4 11:00).
      const page = await fetch(first);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /12月3日（木）13:00から/);
      s.clock.now = jst('2026-12-06', '14:01'); // three days after the new end (the days after are for the survey)
      assert.equal((await fetch(first)).status, 410);
    });
  });

  it('with real mail, a department with no contact (and no CITY_CONTACT) cannot be booked until one is entered', async () => {
    await withMailServer({}, async (s, sink) => {
      assert.ok(s.running.departmentsWithoutContact.includes('税務課'), 'said at start');
      const refused = await s.call('POST', '/api/v1/consultations', booking());
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail_ja, /税務課の連絡先（電話番号と受付時間）が設定されていないため、案内メールを送れません/);
      assert.match(refused.body.detail, /no contact/);
      assert.equal((await s.call('GET', '/api/v1/consultations?from=2026-12-01&to=2026-12-01')).body.consultations.length, 0, 'nothing written');
      const tax = (await s.call('GET', '/api/v1/departments')).body.departments.find((d: { name: string }) => d.name === '税務課');
      await saveDepartment(s.running.store.db, createIdSource(), Date.now(), tax.id, {
        name: '税務課',
        aliases: ['税務'],
        contact: '0879-26-1111（平日 8:30〜17:15）',
        webexRoomId: '',
        teamsChannel: '',
        lampUrl: '',
      });
      assert.equal((await s.call('POST', '/api/v1/consultations', booking())).status, 201);
      await s.running.worker.idle();
      assert.match(sink.messages[0]!.text!, /税務課（0879-26-1111（平日 8:30〜17:15））までご連絡ください/);
    });
  });
});

describe('the survey, asked after the consultation', function () {
  this.timeout(30_000);

  it('a short mail links to the survey a little after the end, unless it was answered in the app or SURVEY_MAIL is off', async () => {
    for (const setting of ['true', 'false']) {
      await withMailServer(
        {
          CITY_NAME: 'さぬき市',
          CITY_CONTACT: '0879-00-0000',
          SURVEY_MAIL: setting,
          REMINDERS: 'none',
        },
        async (s, sink) => {
          const asked = (await s.call('POST', '/api/v1/consultations', booking())).body;
          await s.call(
            'POST',
            '/api/v1/consultations',
            booking({ start: '2026-12-01T13:00:00+09:00', citizen: { name: '佐藤花子', email: 'sato@example.jp' } }),
          );
          await s.running.worker.idle();
          assert.equal(sink.messages.length, 2, 'two invitations');
          const link = /(http:\/\/\S+\/app\/c\/\S+)/.exec(sink.messages[1]!.text!)![1]!.replace(s.config.publicBaseUrl, s.url);
          s.clock.now = jst('2026-12-01', '15:00'); // both held and ended
          await s.running.worker.idle();
          assert.equal((await s.call('GET', `/api/v1/consultations/${asked.id}`)).body.status, 'completed');
          // One citizen answers in the app before the mail would go.
          const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
          await fetch(`${link}/consent`, { ...form, body: `choice=agree&version=${CONSENT_VERSION}` });
          assert.equal((await fetch(`${link}/end`, { ...form, body: 'satisfaction=5&again=yes' })).status, 200);
          assert.equal(sink.messages.length, 2, 'nothing at the end itself');
          s.clock.now = jst('2026-12-01', '15:20');
          await s.running.worker.idle();
          const surveys = sink.messages.slice(2);
          if (setting === 'false') {
            assert.equal(surveys.length, 0, 'SURVEY_MAIL=false sends none');
            return;
          }
          assert.equal(surveys.length, 1, 'only to the citizen who did not answer in the app');
          const mail = surveys[0]!;
          assert.equal((mail.to as { value: Array<{ address: string }> }).value[0]!.address, 'yamada@example.jp');
          assert.equal(mail.subject, '【さぬき市】オンライン相談のアンケートのお願い');
          const url = /(http:\/\/\S+\/app\/c\/\S+\/end)/.exec(mail.text!)![1]!.replace(s.config.publicBaseUrl, s.url);
          assert.ok((mail.html as string).includes('アンケートに答える'));
          assert.equal(mail.attachments.length, 0, 'no calendar entry');
          // The link opens the survey (after the consent, as every step).
          await fetch(url.replace(/\/end$/, '/consent'), { ...form, body: `choice=agree&version=${CONSENT_VERSION}` });
          assert.match(await (await fetch(url)).text(), /アンケートにお答えください/);
        },
      );
    }
  });
});

describe('email reliability', function () {
  this.timeout(30_000);

  it('a crash between the commit and the send still sends exactly one message after restart', async () => {
    const sink = await smtpSink();
    const sent: OutgoingMail[] = [];
    let crash = true;
    const smtp = createSmtpTransport(sink.url, 'soudan@city.example.jp');
    // The process dies right after the SMTP server took the message, before the outbox row is marked done.
    const crashing: MailTransport = {
      kind: 'smtp',
      async send(m) {
        await smtp.send(m);
        sent.push(m);
        if (crash) {
          crash = false;
          throw new Error('simulated crash after sending');
        }
      },
    };
    const s = await startTestServer('sqlite', { SMTP_URL: sink.url, CITY_CONTACT: '0879-00-0000' }, { mail: crashing });
    try {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      s.clock.now += 60 * 60_000;
      await s.running.worker.idle();
      const invitations = sent.filter((m) => /ご案内/.test(m.subject));
      assert.equal(invitations.length, 2, 'at-least-once: the message went again');
      assert.equal(invitations[0]!.messageId, invitations[1]!.messageId, 'as the same message (same Message-ID), so mail clients show it once');
      assert.equal(new Set(sink.messages.map((m) => m.messageId)).size, 1);
      const rows = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'mail.invitation').execute();
      assert.deepEqual(
        rows.map((r) => r.status),
        ['done'],
      );
      assert.equal((await s.call('GET', `/api/v1/consultations/${c.id}`)).body.status, 'invited');
    } finally {
      await s.close();
      await sink.close();
    }
  });

  it('an outbox row that was never sent (crash right after the commit) is sent by the next server', async () => {
    // A booking committed by a process that died before any worker ran: the meeting job and its mail are only rows.
    const { store, place } = await openTestStore('sqlite');
    const config = testConfig(place.env);
    const ids = createIdSource();
    await ensureConfiguredHosts(store.db, ids, TEST_NOW, config);
    await seedDepartments(store.db, ids, TEST_NOW);
    const booked = await bookConsultation(
      { store, config, ids, clock: () => TEST_NOW },
      { start: jst('2026-12-01', '10:00'), durationMinutes: 60, department: '税務課', citizen: { name: '山田太郎', email: 'yamada@example.jp' } },
      'test',
    );
    assert.ok(booked.ok);
    await store.close();
    const sink = await smtpSink();
    const second = await startTestServer('sqlite', { DATA_DIR: place.env.DATA_DIR!, SMTP_URL: sink.url, CITY_CONTACT: '0879-00-0000' });
    try {
      await second.running.worker.idle();
      assert.equal(sink.messages.length, 1);
      assert.equal((await second.call('GET', `/api/v1/consultations/${booked.value.consultation.id}`)).body.status, 'invited');
    } finally {
      await second.close();
      await sink.close();
      await place.cleanup();
    }
  });

  it('without SMTP, each message is a readable .eml file in $DATA_DIR/outbox', async () => {
    const s = await startTestServer('sqlite');
    try {
      await s.call('POST', '/api/v1/consultations', booking());
      await s.running.worker.idle();
      const dir = path.join(s.config.dataDir, 'outbox');
      const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
      assert.equal(files.length, 1);
      // Names and addresses inside: the owner's only.
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(path.join(dir, files[0]!)).mode & 0o777, 0o600);
      const parsed = await simpleParser(readFileSync(path.join(dir, files[0]!)));
      assert.match(parsed.subject!, /オンライン相談のご案内/);
      assert.ok(parsed.text!.includes('山田太郎 様'));
    } finally {
      await s.close();
    }
  });
});

describe('a mail server that refuses', function () {
  this.timeout(30_000);
  /** A server whose mail goes to a sink that answers RCPT TO with `code`; both closed afterwards. */
  const refusedBy = <T>(code: number, text: string, run: (s: TestServer) => Promise<T>): Promise<T> =>
    withMailServer({ CITY_CONTACT: '0879-00-0000' }, (s) => run(s), { code, text });

  it('a permanent refusal (550) puts the consultation in needs_attention at once, with the server’s words, and tells staff', async () => {
    await refusedBy(550, '5.1.1 <yamada@example.jp>: Recipient address rejected: User unknown', async (s) => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      const after = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body;
      assert.equal(after.status, 'needs_attention');
      assert.match(after.statusNote, /相談者のメールアドレスが受け付けられませんでした（アドレスを確かめてください）/);
      assert.match(after.statusNote, /Recipient address rejected: User unknown/);
      const job = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'mail.invitation').executeTakeFirstOrThrow();
      assert.equal(job.status, 'dead', 'not retried for hours');
      assert.equal(job.attempts, 1);
      // Staff hear of it in the department's chat (no address in a shared space).
      const { feed } = await import('../core/chat.ts');
      const tax = (await s.running.store.db.selectFrom('departments').select('id').where('name', '=', '税務課').executeTakeFirstOrThrow()).id;
      const notices = await feed(s.running.store.db, 'console', [`dept:${tax}`]);
      assert.equal(notices.length, 1);
      assert.match(notices[0]!.text, new RegExp(`相談 #${c.id}.*対応が必要です`));
      assert.doesNotMatch(notices[0]!.text, /yamada@example\.jp/);
      assert.ok(await s.running.store.db.selectFrom('outbox').select('id').where('kind', '=', 'mail.staff_notice').executeTakeFirst(), 'and by email');
    });
  });

  it('the note says what to check, by the reply: our sign-in (535) is not the citizen’s address; a full mailbox (552)', async () => {
    await refusedBy(535, '5.7.8 Authentication credentials invalid', async (s) => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      const after = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body;
      assert.equal(after.status, 'needs_attention');
      assert.match(after.statusNote, /SMTP_URL の利用者名とパスワードを確かめてください/);
      assert.doesNotMatch(after.statusNote, /アドレスを確かめてください/);
    });
    await refusedBy(552, '5.2.2 Mailbox full', async (s) => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      assert.match((await s.call('GET', `/api/v1/consultations/${c.id}`)).body.statusNote, /メールボックスがいっぱい/);
    });
  });

  it('a temporary refusal (451) is tried again later, with the status unchanged', async () => {
    await refusedBy(451, '4.7.1 Greylisted, please try again later', async (s) => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      assert.equal((await s.call('GET', `/api/v1/consultations/${c.id}`)).body.status, 'meeting_ready');
      const job = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'mail.invitation').executeTakeFirstOrThrow();
      assert.equal(job.status, 'pending');
      assert.equal(job.attempts, 1);
      assert.match(job.last_error, /Greylisted/);
      assert.ok(Date.parse(job.run_after) > s.clock.now, 'tried again later');
    });
  });
});

describe('the weekly summary to the counter’s managers', function () {
  this.timeout(30_000);

  it('goes every Monday with last week’s figures (no personal data) to each recipient, and plans the next', async () => {
    await withMailServer(
      { WEEKLY_SUMMARY_TO: 'kacho@city.example.jp, soudan-admin@city.example.jp', CITY_CONTACT: '0879-00-0000', CITY_NAME: 'さぬき市' },
      async (s, sink) => {
        const c = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-11-25T10:00:00+09:00', durationMinutes: 30 }))).body;
        await s.running.worker.idle();
        const planned = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'report.weekly').where('status', '=', 'pending').execute();
        assert.equal(planned.length, 1);
        assert.equal(planned[0]!.run_after, '2026-11-29T23:30:00.000Z', 'Monday 08:30 JST');
        s.clock.now = Date.parse('2026-11-25T02:00:00Z');
        s.running.worker.wake();
        await s.running.worker.idle();
        sink.messages.length = 0;
        s.clock.now = Date.parse('2026-11-29T23:30:00Z');
        s.running.worker.wake();
        await s.running.worker.idle();
        const weekly = sink.messages.filter((m) => m.subject?.includes('先週の集計'));
        assert.deepEqual(weekly.map((m) => (m.to as { text: string }).text).sort(), ['kacho@city.example.jp', 'soudan-admin@city.example.jp']);
        const m = weekly[0]!;
        assert.equal(m.subject, '【さぬき市】オンライン相談 先週の集計（2026-11-23〜2026-11-29）');
        assert.match(m.text ?? '', /■ 相談 1件（実施済み 1件）/);
        assert.match(m.text ?? '', /税務課: 1件/);
        assert.match(m.text ?? '', /\/admin\/stats\?from=2026-11-23&to=2026-11-29/);
        assert.doesNotMatch(`${m.text}${m.html}`, /山田|yamada@|固定資産税について/);
        assert.ok(c.id);
        const next = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'report.weekly').where('status', '=', 'pending').execute();
        assert.deepEqual(
          next.map((j) => j.run_after),
          ['2026-12-06T23:30:00.000Z'],
        );
      },
    );
  });

  it('is off by default: nothing planned', async () => {
    const s = await startTestServer('sqlite');
    try {
      const planned = await s.running.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'report.weekly').execute();
      assert.equal(planned.length, 0);
    } finally {
      await s.close();
    }
  });
});
