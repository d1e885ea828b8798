// The lamp hook: a department's signal tower is told of a call, of its accept, and when nothing is left, through the
// outbox (retried when the device refuses or does not answer in time), as a JSON POST or a GET URL template.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { fillLampUrl } from '../relay/lamp.ts';
import type { LampPayload } from '../relay/lamp.ts';
import { jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const branch: Sender = { platform: 'console', userId: 'u-branch', displayName: '三隅支所 佐々木' };
const tax: Sender = { platform: 'console', userId: 'u-tax', displayName: '税務課 田中' };

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

/** A stand-in signal tower: answers with the statuses given, one per request (then 200), or never (`hang`). */
async function tower(answers: Array<number | 'hang'>): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const a = answers.shift() ?? 200;
      if (a === 'hang') hanging.push(res);
      else res.writeHead(a).end('Success.');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const r of hanging) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the lamp hook (a signal tower)', function () {
  this.timeout(30_000);
  let s: TestServer | undefined;
  let t: Awaited<ReturnType<typeof tower>> | undefined;
  afterEach(async () => {
    await s?.close();
    await t?.close();
    s = undefined;
    t = undefined;
  });

  const start = async (env: Record<string, string>) => {
    s = await startTestServer('sqlite', env);
    await handleMessage(s.running.deps, tax, '/duty on 税務');
    await handleMessage(s.running.deps, branch, '/site 本庁');
    s.clock.now = jst('2026-12-01', '10:00');
  };
  const later = async (seconds: number) => {
    s!.clock.now += seconds * 1000;
    s!.running.worker.wake();
    await s!.running.worker.idle();
  };

  it('POSTs the documented JSON on call, accept and clear, retrying a refusal and a device that does not answer', async () => {
    t = await tower([500, 'hang']);
    await start({ LAMP_WEBHOOK_URL: `${t.url}/lamp`, LAMP_WEBHOOK_TIMEOUT_MS: '300' });
    assert.match((await handleMessage(s!.running.deps, branch, '/call 税務 相続')).text, /税務課を呼び出しました/);
    await s!.running.worker.idle();
    assert.equal(t.seen.length, 1, 'sent at once');
    await later(31);
    assert.equal(t.seen.length, 2, 'refused (500): tried again after the backoff');
    await later(61);
    assert.equal(t.seen.length, 4, 'no answer within LAMP_WEBHOOK_TIMEOUT_MS: tried again; and the call escalated after a minute signals again');
    const calls = t.seen.map((x) => JSON.parse(x.body) as LampPayload);
    assert.ok(t.seen.every((x) => x.method === 'POST' && x.url === '/lamp'));
    assert.deepEqual(
      {
        event: calls[3]!.event,
        state: calls[3]!.state,
        waiting: calls[3]!.waiting,
        department: calls[3]!.department.name,
        site: calls[3]!.site?.name,
        version: calls[3]!.version,
      },
      { event: 'call', state: 'calling', waiting: 1, department: '税務課', site: '本庁', version: 1 },
    );
    await handleMessage(s!.running.deps, tax, '/accept');
    await s!.running.worker.idle();
    const accepted = JSON.parse(t.seen.at(-1)!.body) as LampPayload;
    assert.deepEqual([accepted.event, accepted.state, accepted.waiting], ['accepted', 'taken', 0]);
    await handleMessage(s!.running.deps, branch, '/done');
    await s!.running.worker.idle();
    const cleared = JSON.parse(t.seen.at(-1)!.body) as LampPayload;
    assert.deepEqual([cleared.event, cleared.state], ['cleared', 'idle']);
  });

  it('GETs a URL template for a tower that takes a command in the address', async () => {
    t = await tower([]);
    await start({ LAMP_WEBHOOK_URL: `${t.url}/api/control?alert={code}&d={department_id}`, LAMP_WEBHOOK_METHOD: 'GET' });
    await handleMessage(s!.running.deps, branch, '/call 税務');
    await s!.running.worker.idle();
    await handleMessage(s!.running.deps, tax, '/accept');
    await s!.running.worker.idle();
    const tax1 = (await s!.running.store.db.selectFrom('departments').select('id').where('name', '=', '税務課').executeTakeFirstOrThrow()).id;
    assert.deepEqual(
      t.seen.map((x) => [x.method, x.url]),
      [
        ['GET', `/api/control?alert=200001&d=${tax1}`],
        ['GET', `/api/control?alert=001000&d=${tax1}`],
      ],
      'red flashing with the buzzer, then green',
    );
  });

  it('fills only the known placeholders, each encoded', () => {
    const p: LampPayload = {
      version: 1,
      event: 'call',
      state: 'calling',
      department: { id: 'D1', name: '税務課' },
      site: { id: 'S1', name: '三隅 支所' },
      relayId: 'R',
      consultationId: 'C',
      waiting: 2,
      at: '2026-12-01T01:00:00.000Z',
    };
    assert.equal(
      fillLampUrl('http://x/?a={code}&s={site}&n={waiting}&k={unknown}', p),
      'http://x/?a=200001&s=%E4%B8%89%E9%9A%85%20%E6%94%AF%E6%89%80&n=2&k={unknown}',
    );
  });
});
