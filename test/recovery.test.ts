// Recovery after a crash: `npm start` is killed with SIGKILL while a job runs (an invitation waiting on a mail server
// that never answers); a new instance started at once on the same database finishes the job within 30 seconds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../core/log.ts';
import { openStore } from '../core/store/db.ts';
import { startServer } from '../server.ts';
import type { ConferencingProvider } from '../core/conferencing/types.ts';
import { ADMIN_TOKEN, DATABASES, PG_URL, freshPlace, testConfig } from './helpers.ts';

const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listenLocal(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listenLocal(s);
  await new Promise((r) => s.close(r));
  return port;
}

async function until<T>(what: string, deadline: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Books the first free 30-minute slot of the next days (real time: the servers here run on the real clock). */
async function bookFirstFree(base: string): Promise<Response> {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const day = (d: number) => new Date(Date.now() + 9 * 3_600_000 + d * 86_400_000).toISOString().slice(0, 10);
  const slots = (await (await fetch(`${base}/api/v1/slots?from=${day(1)}&to=${day(20)}&duration=30`, { headers: auth })).json()) as {
    slots: Array<{ start: string }>;
  };
  return fetch(`${base}/api/v1/consultations`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      start: slots.slots[0]!.start,
      durationMinutes: 30,
      department: '税務課',
      citizen: { name: '山田太郎', email: 'yamada@example.jp' },
    }),
  });
}

for (const kind of DATABASES) {
  describe(`recovery after a crash (${kind})`, function () {
    this.timeout(90_000);

    it('a job cut off by kill -9 is finished by a restarted instance within 30 s', async () => {
      const place = await freshPlace(kind);
      // A mail server that takes the connection and never says hello: the invitation job waits on it.
      const silent = createServer(() => {});
      const silentPort = await listenLocal(silent);
      const received: string[] = [];
      const sink = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, _s, cb) {
          stream.on('data', () => {});
          stream.on('end', () => {
            received.push('message');
            cb();
          });
        },
      });
      const sinkPort = await new Promise<number>((resolve) => sink.listen(0, '127.0.0.1', () => resolve((sink.server.address() as AddressInfo).port)));
      const port = await freePort();
      const databaseUrl = kind === 'postgres' ? `${PG_URL}?options=${encodeURIComponent(`-c search_path=${place.pgSchema},public`)}` : '';
      const child = spawn(process.execPath, ['start.mjs'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          PORT: String(port),
          BIND_ADDRESS: '127.0.0.1',
          DATA_DIR: place.env.DATA_DIR!,
          DATABASE_URL: databaseUrl,
          BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
          SMTP_URL: `smtp://127.0.0.1:${silentPort}`,
          CITY_CONTACT: '0879-00-0000',
          LOG_LEVEL: 'silent',
        },
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const base = `http://127.0.0.1:${port}`;
      const store = await openStore({
        databaseUrl: testConfig(place.env).databaseUrl,
        sqlitePath: testConfig(place.env).sqlitePath,
        ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
      });
      let second: Awaited<ReturnType<typeof startServer>> | null = null;
      try {
        await until(`npm start to answer (${stderr})`, Date.now() + 30_000, async () => (await fetch(`${base}/healthz`)).ok);
        const booked = await bookFirstFree(base);
        assert.equal(booked.status, 201);
        const c = (await booked.json()) as { id: string };
        // The invitation is running (leased) in the child, stuck on the silent mail server: now the process dies.
        await until('the invitation job to be running', Date.now() + 20_000, () =>
          store.db
            .selectFrom('outbox')
            .select('id')
            .where('kind', '=', 'mail.invitation')
            .where('status', '=', 'pending')
            .where('locked_until', 'is not', null)
            .executeTakeFirst(),
        );
        child.kill('SIGKILL');
        await exited;
        const killedAt = Date.now();
        // Started again at once (as a service manager would), with a mail server that answers.
        second = await startServer(
          testConfig({ ...place.env, SMTP_URL: `smtp://127.0.0.1:${sinkPort}`, CITY_CONTACT: '0879-00-0000', BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN }),
          {
            log: createLogger('silent'),
            ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
          },
        );
        await until('the restarted instance to send the invitation', killedAt + 30_000, async () => {
          const row = await store.db.selectFrom('consultations').select('status').where('id', '=', c.id).executeTakeFirstOrThrow();
          return row.status === 'invited';
        });
        const took = Date.now() - killedAt;
        assert.ok(took <= 30_000, `finished ${took} ms after the crash`);
        assert.equal(received.length, 1, 'sent once');
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
        await second?.close();
        await store.close();
        silent.close();
        await new Promise<void>((r) => sink.close(() => r()));
        await place.cleanup();
      }
    });
  });
}

/** A provider whose meetings take a while to make (a slow Webex), counting the calls. */
function slowProvider(ms: number) {
  const calls: string[] = [];
  const provider: ConferencingProvider = {
    kind: 'dryrun',
    async createMeeting(r) {
      calls.push(r.consultationId);
      await sleep(ms);
      return {
        provider: 'dryrun',
        providerMeetingId: `dryrun-${r.consultationId}`,
        meetingNumber: '912345678',
        password: '123456',
        joinUrl: `http://127.0.0.1/dry-run/meetings/dryrun-${r.consultationId}`,
        dialIn: [],
        sipAddress: '',
      };
    },
    updateMeeting: async (m) => m,
    deleteMeeting: async () => {},
  };
  return { provider, calls };
}

for (const kind of DATABASES) {
  describe(`a long job keeps its lease (${kind})`, function () {
    this.timeout(60_000);

    it('the lease is renewed while the job runs, so no other worker takes it', async () => {
      const place = await freshPlace(kind);
      const slow = slowProvider(2_000);
      const options = {
        log: createLogger('silent'),
        providers: { dryrun: slow.provider },
        jobLeases: { leaseMs: 500, heartbeatMs: 100 },
        workerPollMs: 100,
        ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
      };
      const config = testConfig(place.env);
      const a = await startServer(config, options);
      // PostgreSQL: a second instance polls all the while. (SQLite is one instance's store.)
      const b = kind === 'postgres' ? await startServer(config, options) : null;
      try {
        const booked = await bookFirstFree(a.url);
        const c = (await booked.json()) as { id: string };
        const lease = () =>
          a.store.db
            .selectFrom('outbox')
            .select('locked_until')
            .where('kind', '=', 'meeting.sync')
            .where('consultation_id', '=', c.id)
            .executeTakeFirstOrThrow()
            .then((r) => r.locked_until);
        const first = await until('the meeting job to run', Date.now() + 5_000, lease);
        await sleep(800);
        const later = await lease();
        assert.ok(later && later > first, `renewed while running (${first} → ${later})`);
        await until(
          'the meeting to be made',
          Date.now() + 10_000,
          async () => (await a.store.db.selectFrom('consultations').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status !== 'booked',
        );
        assert.deepEqual(slow.calls, [c.id], 'made once, by one worker, though the job ran four times longer than its lease');
      } finally {
        await b?.close();
        await a.close();
        await place.cleanup();
      }
    });
  });
}
