// The OpenAPI document is what runs: every documented operation is called, and every answer it gives (successes and
// problems) must be a documented status with a body the document describes — no member it does not name.
import assert from 'node:assert/strict';
import { issueToken } from '../core/auth/tokens.ts';
import { createIdSource } from '../core/ids.ts';
import { DATABASES, booking, serverForEachTest } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { documentedBodyProblems } from './openapi.ts';

type Node = Record<string, unknown>;

for (const kind of DATABASES) {
  describe(`the API answers as its OpenAPI document says (${kind})`, function () {
    this.timeout(60_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));

    it('every operation is called, and every answer validates against the document', async () => {
      const doc = (await s.call('GET', '/api/v1/openapi.json', undefined, { authorization: '' })).body as Node;
      const paths = doc.paths as Record<string, Record<string, Node>>;
      const operations = Object.entries(paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ p, method, id: String(op.operationId) })));
      const called = new Set<string>();
      const seen: string[] = [];

      /** One call, checked against the operation it matches. */
      const call = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
        const r = await s.call(method, `/api/v1${path}`, body, headers);
        const bare = `/api/v1${path.split('?')[0]!}`;
        const match = operations.find((o) => o.method === method.toLowerCase() && new RegExp(`^${o.p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
        assert.ok(match, `${method} ${bare} is documented`);
        called.add(match.id);
        const responses = paths[match.p]![match.method]!.responses as Record<string, Node>;
        const answer = responses[String(r.status)];
        assert.ok(answer, `${match.id} answered ${r.status}, which the document does not list (${Object.keys(responses).join(', ')})`);
        seen.push(`${match.id} ${r.status}`);
        const content = answer.content as Record<string, { schema: unknown }> | undefined;
        if (!content) {
          assert.ok(r.body === null || r.body === '', `${match.id} ${r.status}: no body documented, none sent`);
          return r;
        }
        const type = r.headers.get('content-type')?.split(';')[0] ?? '';
        assert.ok(content[type], `${match.id} ${r.status}: ${type} is the documented type (${Object.keys(content).join(', ')})`);
        const problems = documentedBodyProblems(doc, content[type]!.schema, r.body);
        assert.deepEqual(problems, [], `${match.id} ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
        return r;
      };

      await call('GET', '/openapi.json', undefined, { authorization: '' });
      await call('GET', '/hosts', undefined, { authorization: '' });
      await call('GET', '/hosts', undefined, { authorization: 'Bearer nope' });
      await call('GET', '/hosts');
      const host = (await call('POST', '/hosts', { displayName: '相談用専用PC 2', provider: 'dryrun', account: 'pc2' })).body;
      await call('POST', '/hosts', { displayName: '', provider: 'webex' });
      const staff = await issueToken(s.running.store.db, createIdSource(), s.clock.now, { name: '税務課 田中', role: 'staff', createdBy: 'test' });
      await call('POST', '/hosts', { displayName: 'x', provider: 'dryrun', account: 'x' }, { authorization: `Bearer ${staff.token}` });
      await call('GET', '/departments');
      await call('GET', '/slots?from=2026-12-01&to=2026-12-02&duration=60');
      await call('GET', '/slots?from=someday&to=2026-12-02');

      const c = (await call('POST', '/consultations', booking())).body;
      await call('POST', '/consultations', booking());
      await call('POST', '/consultations', '{"not json', { 'content-type': 'application/json' });
      await call('POST', '/consultations', booking({ start: '2026-12-08T10:00:00+09:00' }), { 'Idempotency-Key': 'k-1' });
      await call('POST', '/consultations', booking({ start: '2026-12-08T10:00:00+09:00' }), { 'Idempotency-Key': 'k-1' });
      await call('POST', '/consultations', booking({ start: '2026-12-09T10:00:00+09:00' }), { 'Idempotency-Key': 'k-1' });
      await s.running.worker.idle();
      await call('GET', '/consultations?from=2026-12-01&to=2026-12-31');
      await call('GET', `/consultations/${c.id}`);
      await call('GET', '/consultations/NOSUCHID');
      await call('PATCH', `/consultations/${c.id}`, { start: '2026-12-01T13:00:00+09:00' });
      await call('PATCH', `/consultations/${c.id}`, {});
      await call('POST', `/consultations/${c.id}/retry`);
      await call('GET', `/consultations/${c.id}/app`);
      await call('GET', `/consultations/${c.id}/audit`);
      await call('POST', `/consultations/${c.id}/erase`);
      await call('POST', `/consultations/${c.id}/cancel`, { reason: '市民の都合' });
      await call('POST', `/consultations/${c.id}/cancel`, {});
      await s.running.worker.idle();
      await call('POST', `/consultations/${c.id}/erase`);
      await call('GET', `/consultations/${c.id}`);

      await call('GET', '/calendar/exceptions');
      const closure = (await call('POST', '/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', note: '庁舎点検' })).body;
      await call('POST', '/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', startTime: '13:00' });
      await call('DELETE', `/calendar/exceptions/${closure.id}`);
      await call('GET', '/sites');
      const branch = (await call('POST', '/sites', { name: '三隅支所', phone: '0855-32-0000' })).body;
      await call('POST', '/sites', { name: '三隅支所' });
      await call('PATCH', `/sites/${branch.id}`, { phone: '0855-32-1111' });
      await call('PATCH', '/sites/NOSUCHID', { phone: '0' });
      await call('PATCH', `/hosts/${host.id}`, { siteId: branch.id });
      await call('PATCH', `/hosts/${host.id}`, { siteId: 'NOSUCHID' });
      await call('PATCH', '/hosts/NOSUCHID', { displayName: 'x' });
      const walkIn = (await call('POST', '/walk-ins', { siteId: branch.id, department: '税務', topic: '相続', reception: '受付 3' })).body;
      await call('POST', '/walk-ins', { siteId: branch.id, department: '年金' });
      await call('POST', '/walk-ins', { siteId: branch.id, department: 'ない課' });
      await s.running.worker.idle();
      await call('POST', `/consultations/${walkIn.consultation.id}/extend`, { minutes: 30 });
      await call('POST', `/consultations/${c.id}/extend`, { minutes: 30 });
      await call('POST', '/consultations/NOSUCHID/extend', { minutes: 30 });
      await call('POST', `/consultations/${walkIn.consultation.id}/cancel`, {});
      await call('POST', '/devices', { name: '三隅 窓口', role: 'counter', scope: host.id });
      await call('POST', '/devices', { name: 'x', role: 'board', scope: 'NOSUCHID' });
      await call('GET', '/devices');
      await call('DELETE', `/sites/${branch.id}`);
      await call('DELETE', '/sites/main');
      await call('DELETE', `/hosts/${host.id}`);
      await call('DELETE', '/hosts/NOSUCHID');

      await call('GET', '/tokens');
      const token = (await call('POST', '/tokens', { name: '福祉課 佐藤', role: 'staff' })).body;
      await call('DELETE', `/tokens/${token.id}`);
      await call('GET', '/stats?fiscalYear=2026');
      await call('GET', '/stats?from=2026-12-01&to=2026-12-01');
      await call('GET', '/stats?month=2026-13');

      assert.deepEqual(
        operations.map((o) => o.id).filter((id) => !called.has(id)),
        [],
        'every documented operation was called',
      );
      for (const status of ['201', '204', '400', '401', '403', '404', '409', '422'])
        assert.ok(
          seen.some((x) => x.endsWith(` ${status}`)),
          `some answer was ${status}`,
        );
    });
  });
}
