// A consultation's status follows its meeting's time: in progress at its start, completed at its end — unless a
// relay is still going on for it, when it waits for that (at most 12 hours). Driven by the worker with a fake clock.
import assert from 'node:assert/strict';
import { handleAction, handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { feed } from '../core/chat.ts';
import { DATABASES, booking, jst, serverForEachTest } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const reception: Sender = { platform: 'console', userId: 'u-reception', displayName: '受付 山本' };
const tax: Sender = { platform: 'console', userId: 'u-tax', displayName: '税務 田中' };

for (const kind of DATABASES) {
  describe(`a consultation's clock (${kind})`, function () {
    this.timeout(30_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));

    const at = async (date: string, time: string) => {
      s.clock.now = jst(date, time);
      s.running.worker.wake();
      await s.running.worker.idle();
    };
    const status = async (id: string) => (await s.call('GET', `/api/v1/consultations/${id}`)).body.status as string;
    const actions = async (id: string) =>
      ((await s.call('GET', `/api/v1/consultations/${id}/audit`)).body.entries as Array<{ action: string; actor: string }>).map((e) => e.action);

    it('in progress at its start and completed at its end, each audited, with the version counting both', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body; // 12/1 10:00–11:00, 15 minutes' buffer
      await s.running.worker.idle();
      assert.equal(await status(c.id), 'invited');
      await at('2026-12-01', '09:59');
      assert.equal(await status(c.id), 'invited', 'not before its time');
      await at('2026-12-01', '10:00');
      assert.equal(await status(c.id), 'in_progress');
      const during = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body;
      assert.equal((await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-02T10:00:00+09:00' })).status, 409, 'no move once it started');
      await at('2026-12-01', '11:15');
      assert.equal(await status(c.id), 'completed');
      const after = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body;
      assert.ok(after.version > during.version);
      const audit = await actions(c.id);
      assert.ok(audit.includes('consultation.started') && audit.includes('consultation.completed'), audit.join(', '));
    });

    it('a moved consultation keeps to its new time (the old time’s jobs do nothing)', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await s.running.worker.idle();
      await s.call('PATCH', `/api/v1/consultations/${c.id}`, { start: '2026-12-02T13:00:00+09:00' });
      await at('2026-12-01', '10:30');
      assert.equal(await status(c.id), 'invited');
      await at('2026-12-02', '13:00');
      assert.equal(await status(c.id), 'in_progress');
    });

    it('an accepted relay keeps it in progress past its end; /done lets it complete; a forgotten one is closed 12 hours after its start', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課' }))).body;
      const d = (await s.call('POST', '/api/v1/consultations', booking({ department: '総合窓口課', start: '2026-12-01T13:00:00+09:00' }))).body;
      await s.running.worker.idle();
      await handleMessage(s.running.deps, tax, '/duty on 税務');
      await at('2026-12-01', '10:30');
      await handleMessage(s.running.deps, reception, `/relay 税務 #${c.id}`);
      assert.match((await handleMessage(s.running.deps, tax, '/accept')).text, /をお願いします/);
      await at('2026-12-01', '11:20');
      assert.equal(await status(c.id), 'in_progress', 'still with the tax department');
      assert.match((await handleMessage(s.running.deps, tax, '/done')).text, /おつなぎを終えました/);
      const extended = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body;
      assert.equal(extended.end, '2026-12-01T11:50:00+09:00', 'extended by WALK_IN_MINUTES from when its end was looked at (11:20), as the relay was open');
      await at('2026-12-01', '11:31');
      assert.equal(await status(c.id), 'in_progress', 'until its extended end');
      await at('2026-12-01', '12:06');
      assert.equal(await status(c.id), 'completed', 'completed at its extended end (and buffer) once the relay is done');

      await at('2026-12-01', '13:10');
      await handleMessage(s.running.deps, reception, `/relay 税務 #${d.id}`);
      await s.running.worker.idle();
      const taxId = (await s.call('GET', '/api/v1/departments')).body.departments.find((x: { name: string }) => x.name === '税務課').id;
      const alert = (await feed(s.running.store.db, 'console', [`dept:${taxId}`])).at(-1)!;
      const relayId = (alert.card!.actions as Array<{ data: { relayId: string } }>)[0]!.data.relayId;
      await handleAction(s.running.deps, tax, { verb: 'accept', relayId });
      await at('2026-12-01', '20:00');
      assert.equal(await status(d.id), 'in_progress');
      await at('2026-12-02', '02:30');
      assert.equal(await status(d.id), 'completed', 'nobody pressed /done: completed 12 hours after its start');
      const relay = await s.running.store.db.selectFrom('relays').select('status').where('id', '=', relayId).executeTakeFirstOrThrow();
      assert.equal(relay.status, 'done', 'and the relay closed with it');
      assert.ok((await actions(d.id)).includes('relay.done'));
    });
  });
}
