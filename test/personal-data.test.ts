// Personal data is kept only as long as the city says: after PERSONAL_DATA_RETENTION_DAYS no citizen name, email or
// free text is left in any table or file of ours; the figures stay. An admin erases one consultation on request.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { citizenAt } from '../embedded-app/state/index.ts';
import { createIdSource } from '../core/ids.ts';
import { issueToken } from '../core/auth/tokens.ts';
import { ADMIN_TOKEN, DATABASES, FORM, booking, botDeps, jst, serverForEachTest, signIn } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** Every row of every table of ours, as text. */
async function everyRow(s: TestServer): Promise<Array<{ table: string; row: string }>> {
  const db = s.running.store.db;
  const tables =
    s.running.store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map(
          (r) => r.name,
        );
  assert.ok(tables.length >= 20, `found the tables (${tables.join(', ')})`);
  const out: Array<{ table: string; row: string }> = [];
  for (const t of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(db)).rows;
    for (const r of rows) out.push({ table: t, row: JSON.stringify(r) });
  }
  return out;
}

/** Every file under a folder, with its bytes. */
function everyFile(dir: string): Array<{ file: string; bytes: Buffer }> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...everyFile(p));
    else out.push({ file: p, bytes: readFileSync(p) });
  }
  return out;
}

const reception: Sender = { platform: 'console', userId: 'u-reception', displayName: '受付 山本' };
const tax: Sender = { platform: 'console', userId: 'u-tax', displayName: '税務 田中' };

for (const kind of DATABASES) {
  describe(`personal data retention (${kind})`, function () {
    this.timeout(60_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x), { env: { PERSONAL_DATA_RETENTION_DAYS: '30' } });

    it('after the retention period no citizen name, email or free text is left in any table or file; times, status and survey scores stay', async () => {
      // Words that only a citizen or a note could have put there: each must be gone in the end.
      const secret = {
        name: '消去確認太郎',
        email: 'erase-check-7f3a@example.jp',
        topic: '相続の秘密メモ九Q',
        note: 'リレーのメモ八W',
        reason: '取り消しの理由五Z',
        comment: 'アンケートの感想三K',
        name2: '消去確認花子',
        email2: 'erase-check-b2@example.jp',
        name3: '消去確認次郎',
        email3: 'erase-check-c3@example.jp',
        problem: 'mailbox-full-for-erase-check-7f3a@example.jp',
      };
      const deps = botDeps(s);
      const a = (
        await s.call(
          'POST',
          '/api/v1/consultations',
          booking({ department: '総合窓口課', citizen: { name: secret.name, email: secret.email }, topic: secret.topic }),
          {
            'idempotency-key': 'book-a-1',
          },
        )
      ).body;
      const b = (
        await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00', citizen: { name: secret.name2, email: secret.email2 } }))
      ).body;
      await s.running.worker.idle();
      // Staff book one by typing the citizen's name in the console (kept as the conversation).
      const { cookie, csrf } = await signIn(s.url);
      await fetch(`${s.url}/console/staff`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, name: '受付 鈴木' }),
      });
      const consoleStaff = (await s.running.store.db.selectFrom('staff').select('id').where('platform', '=', 'console').executeTakeFirstOrThrow()).id;
      const said = await fetch(`${s.url}/console/say`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, staff: consoleStaff, text: `/book 12/3 10:00 60 ${secret.name3} ${secret.email3} 税務` }),
      });
      assert.equal(said.status, 303);
      // A relay with a note, accepted (the accepter is sent the citizen's name), and the app's survey with a comment.
      await handleMessage(deps, tax, '/duty on 税務');
      s.clock.now = jst('2026-12-01', '10:05');
      await handleMessage(deps, reception, `/relay #${a.id} 税務 ${secret.note}`);
      await s.running.worker.idle();
      const relayId = (await s.running.store.db.selectFrom('relays').select('id').executeTakeFirstOrThrow()).id;
      const { handleAction } = await import('../bot/index.ts');
      await handleAction(deps, tax, { verb: 'accept', relayId });
      await s.running.worker.idle();
      await citizenAt({ db: s.running.store.db, ids: createIdSource(), clock: () => s.clock.now }, a.id, 'end', {
        survey: { satisfaction: 4, again: true, comment: secret.comment },
      });
      // A mail server's refusal naming the address, kept on a job.
      await s.running.store.db
        .insertInto('outbox')
        .values({
          id: 'zzzz-erase-check',
          kind: 'mail.staff_notice',
          consultation_id: a.id,
          payload: JSON.stringify({ problem: secret.problem }),
          status: 'dead',
          run_after: new Date(s.clock.now).toISOString(),
          locked_until: null,
          last_error: secret.problem,
          created_at: new Date(s.clock.now).toISOString(),
          done_at: new Date(s.clock.now).toISOString(),
        })
        .execute();
      s.clock.now = jst('2026-11-30', '09:00');
      assert.equal((await s.call('POST', `/api/v1/consultations/${b.id}/cancel`, { reason: secret.reason })).status, 200);
      await s.running.worker.idle();

      const rows = () => everyRow(s).then((all) => all.map((r) => `${r.table}: ${r.row}`).join('\n'));
      const before = await rows();
      for (const word of Object.values(secret)) assert.ok(before.includes(word), `the test put "${word}" somewhere first`);
      const outbox = path.join(s.config.dataDir, 'outbox');
      assert.ok(readdirSync(outbox).filter((f) => f.endsWith('.eml')).length >= 3, 'invitations and the cancellation were written');
      // Copies left half written by a crash (the file outbox writes .<name>.tmp, then renames it).
      writeFileSync(path.join(outbox, `.${a.id}_crashed.eml.tmp`), `To: ${secret.email}`, { mode: 0o600 });
      writeFileSync(path.join(outbox, '.no-consultation.eml.tmp'), `To: ${secret.email}`, { mode: 0o600 });

      // 29 days after the last one ended nothing goes; 31 days after, everything personal does.
      s.clock.now = jst('2026-12-30', '12:00');
      s.running.worker.wake();
      await s.running.worker.idle();
      assert.equal((await s.call('GET', `/api/v1/consultations/${a.id}`)).body.citizen.name, secret.name, 'kept within the retention period');
      s.clock.now = jst('2027-01-06', '12:00');
      s.running.worker.wake();
      await s.running.worker.idle();

      const after = await rows();
      for (const [what, word] of Object.entries(secret)) {
        const where = after.split('\n').filter((line) => line.includes(word));
        assert.deepEqual(where, [], `${what} left in the tables`);
      }
      for (const f of everyFile(s.config.dataDir)) {
        for (const [what, word] of Object.entries(secret))
          assert.ok(!f.bytes.includes(Buffer.from(word, 'utf8')), `${what} left in ${path.relative(s.config.dataDir, f.file)}`);
      }
      assert.deepEqual(
        readdirSync(outbox).filter((f) => f.includes('.eml')),
        [],
        'the .eml files went with them',
      );

      // What the figures need stays.
      const kept = (await s.call('GET', `/api/v1/consultations/${a.id}`)).body;
      assert.equal(kept.start, '2026-12-01T10:00:00+09:00');
      assert.equal(kept.department.name, '総合窓口課');
      assert.equal(kept.status, 'completed', 'completed by its clock, though the relay was never finished');
      assert.equal(kept.citizen.name, '');
      assert.match(kept.personalDataErasedAt, /^2027-01-06T/);
      assert.equal((await s.call('GET', `/api/v1/consultations/${b.id}`)).body.status, 'cancelled');
      const relay = await s.running.store.db.selectFrom('relays').selectAll().where('id', '=', relayId).executeTakeFirstOrThrow();
      assert.ok(relay.requested_at && relay.accepted_at, 'relay times kept for waiting-time figures');
      const progress = await s.running.store.db.selectFrom('app_progress').select('survey').where('consultation_id', '=', a.id).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(progress.survey!), { satisfaction: 4, again: true, comment: '' });
      // The audit log keeps the fact of each change, without the values.
      const audit = (await s.call('GET', `/api/v1/consultations/${a.id}/audit`)).body.entries as Array<{
        action: string;
        after: { citizen?: { name: string } } | null;
      }>;
      assert.ok(audit.some((e) => e.action === 'consultation.booked' && e.after?.citizen?.name === '[erased]'));
      assert.ok(audit.some((e) => e.action === 'consultation.personal_data_erased'));
    });

    it('an admin erases one consultation on request (API and page), audited; an upcoming one is cancelled first; staff cannot', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      const ahead = await s.call('POST', `/api/v1/consultations/${c.id}/erase`);
      assert.equal(ahead.status, 409);
      assert.match(ahead.body.detail_ja, /先に取り消して/);
      const staff = await issueToken(s.running.store.db, createIdSource(), s.clock.now, { name: '税務課 田中', role: 'staff', createdBy: 'test' });
      assert.equal((await s.call('POST', `/api/v1/consultations/${c.id}/erase`, undefined, { authorization: `Bearer ${staff.token}` })).status, 403);
      await s.call('POST', `/api/v1/consultations/${c.id}/cancel`, { reason: '本人から削除の求め' });
      await s.running.worker.idle();
      const erased = await s.call('POST', `/api/v1/consultations/${c.id}/erase`);
      assert.equal(erased.status, 200);
      assert.equal(erased.body.citizen.email, '');
      assert.equal(erased.body.statusNote, '');
      assert.ok(erased.body.personalDataErasedAt);
      const audit = (await s.call('GET', `/api/v1/consultations/${c.id}/audit`)).body.entries as Array<{ action: string; actor: string; after: unknown }>;
      const entry = audit.find((e) => e.action === 'consultation.personal_data_erased');
      assert.match(entry!.actor, /^token:/);
      assert.deepEqual(entry!.after, { reason: 'request' });

      // The same on the admin page, with the confirmation next to the field.
      const d = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }))).body;
      await s.call('POST', `/api/v1/consultations/${d.id}/cancel`, {});
      const { cookie, csrf } = await signIn(s.url, ADMIN_TOKEN);
      const found = await (await fetch(`${s.url}/admin/privacy?id=${d.id}`, { headers: { cookie } })).text();
      assert.match(found, new RegExp(`相談 #${d.id}`));
      assert.match(found, /個人情報を消去する/);
      const unconfirmed = await fetch(`${s.url}/admin/privacy/erase`, {
        method: 'POST',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, id: d.id }),
      });
      assert.equal(unconfirmed.status, 422);
      assert.match(await unconfirmed.text(), /チェックを入れてください/);
      assert.equal((await s.call('GET', `/api/v1/consultations/${d.id}`)).body.personalDataErasedAt, null, 'nothing erased without the confirmation');
      const done = await fetch(`${s.url}/admin/privacy/erase`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, id: d.id, confirm: 'yes' }),
      });
      assert.equal(done.status, 303);
      assert.ok((await s.call('GET', `/api/v1/consultations/${d.id}`)).body.personalDataErasedAt);
      const upcoming = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-03T10:00:00+09:00' }))).body;
      const ahead2 = await (await fetch(`${s.url}/admin/privacy?id=${upcoming.id}`, { headers: { cookie } })).text();
      assert.match(ahead2, /先に取り消して/);
      assert.doesNotMatch(ahead2, /個人情報を消去する/, 'no erase button for a consultation still ahead');
      const missing = await fetch(`${s.url}/admin/privacy?id=NOSUCHID`, { headers: { cookie } });
      assert.match(await missing.text(), /見つかりません/);
    });

    it('erasing on request also takes the console lines where staff typed the citizen’s name and address', async () => {
      const { cookie, csrf } = await signIn(s.url, ADMIN_TOKEN);
      const post = (path: string, body: Record<string, string>) =>
        fetch(`${s.url}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': FORM },
          body: new URLSearchParams({ csrf, ...body }),
        });
      const made = await post('/console/staff', { name: '受付 山本' });
      const staff = new URL(made.headers.get('location')!, s.url).searchParams.get('staff')!;
      await post('/console/say', { staff, text: '/book 12/4 10:00 60 鈴木花子 hanako@example.jp 税務' });
      await post('/console/say', { staff, text: '/today 12/4' });
      const booked = (await s.call('GET', '/api/v1/consultations?from=2026-12-04&to=2026-12-04')).body.consultations;
      assert.equal(booked.length, 1);
      const lines = () => s.running.store.db.selectFrom('chat_messages').select(['purpose', 'text']).execute();
      assert.ok(
        (await lines()).some((l) => l.text.includes('hanako@example.jp')),
        'the console kept what was typed',
      );
      await s.call('POST', `/api/v1/consultations/${booked[0].id}/cancel`, {});
      await s.running.worker.idle();
      assert.equal((await s.call('POST', `/api/v1/consultations/${booked[0].id}/erase`)).status, 200);
      const left = (await lines()).filter((l) => l.text.includes('hanako@example.jp') || l.text.includes('鈴木花子'));
      assert.deepEqual(left, [], 'no line with the name or the address is left');
      assert.ok(
        (await lines()).some((l) => l.text.includes('/today 12/4')),
        'other lines stay',
      );
    });
  });
}
