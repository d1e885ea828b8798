// Several instances on one database: started together on an empty database they agree on one host row per account
// and one first admin; racing bookings on two instances give one 201 per slot; a contended database answers 503.
import assert from 'node:assert/strict';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../core/log.ts';
import { startServer } from '../server.ts';
import type { RunningServer, StartOptions } from '../server.ts';
import { DatabaseBusy, retryTransient } from '../core/store/db.ts';
import { DB_RETRY, backoffMs } from '../core/backoff.ts';
import { problemHandler } from '../core/http.ts';
import type { ConferencingProvider } from '../core/conferencing/types.ts';
import { DATABASES, PG_URL, TEST_NOW, booking, freshPlace, testConfig } from './helpers.ts';
import type { Place } from './helpers.ts';

const WEBEX_ENV = { WEBEX_ACCESS_TOKEN: 'token-1', WEBEX_HOST_EMAIL: 'soudan@city.example.jp', WEBEX_API_BASE_URL: 'https://webex.test/v1' };

/** A Webex stand-in that makes meetings at once (the race is about the booking, not the meeting). */
const standInWebex: ConferencingProvider = {
  kind: 'webex',
  createMeeting: async (r) => ({
    provider: 'webex',
    providerMeetingId: `m-${r.consultationId}`,
    meetingNumber: '25512345678',
    password: '12345678',
    joinUrl: `https://city.webex.test/j/${r.consultationId}`,
    dialIn: [],
    sipAddress: '',
  }),
  updateMeeting: async (m) => m,
  deleteMeeting: async () => {},
};

function startOn(place: Place, env: Record<string, string>, options: Partial<StartOptions> = {}): Promise<RunningServer> {
  return startServer(testConfig({ ...place.env, ...env }), {
    // TEST_LOG=warn shows what the instances log (a race that goes wrong says why).
    log: createLogger(process.env.TEST_LOG ?? 'silent'),
    clock: () => TEST_NOW,
    workerPollMs: 60_000,
    providers: { webex: standInWebex },
    ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
    ...options,
  });
}

async function countLive(s: RunningServer) {
  const hosts = await s.store.db.selectFrom('hosts').select(['provider', 'account']).where('retired_at', 'is', null).execute();
  const admins = await s.store.db.selectFrom('api_tokens').select('id').where('role', '=', 'admin').execute();
  const departments = await s.store.db.selectFrom('departments').select('id').execute();
  return { hosts, admins: admins.length, departments: departments.length };
}

// Several instances share a database on PostgreSQL. (SQLite is one instance's store: node:sqlite waits for a lock
// synchronously, so two instances in one test process would block each other's event loop.)
const TRIALS = 20;

for (const kind of DATABASES.filter((k) => k === 'postgres')) {
  describe(`instances started together on an empty ${kind} database`, function () {
    this.timeout(180_000);

    it(`N=3 at once, ${TRIALS} times: every start succeeds, one host row per account, one first admin`, async () => {
      for (let trial = 0; trial < TRIALS; trial++) {
        const place = await freshPlace(kind);
        // Half the trials with the operator's BOOTSTRAP_ADMIN_TOKEN, half with a token each instance would make.
        const env = { ...WEBEX_ENV, ...(trial % 2 === 0 ? {} : { BOOTSTRAP_ADMIN_TOKEN: '' }) };
        const starts = await Promise.allSettled([startOn(place, env), startOn(place, env), startOn(place, env)]);
        const running = starts.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        try {
          const failures = starts.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.stack ?? r.reason)] : []));
          assert.deepEqual(failures, [], `trial ${trial}: every instance starts`);
          const seen = await countLive(running[0]!);
          assert.deepEqual(seen.hosts, [{ provider: 'webex', account: 'soudan@city.example.jp' }], `trial ${trial}: one live host row for the account`);
          assert.equal(seen.admins, 1, `trial ${trial}: one first admin`);
          assert.equal(seen.departments, 8, `trial ${trial}: the default departments, once`);
          assert.equal(running.filter((s) => s.bootstrapToken !== null).length, 1, `trial ${trial}: one instance made (and would print) the admin token`);
        } finally {
          await Promise.all(running.map((s) => s.close()));
          await place.cleanup();
        }
      }
    });

    it('with nothing configured, instances started together make one dry-run host', async () => {
      const place = await freshPlace(kind);
      const running = await Promise.all([startOn(place, {}), startOn(place, {}), startOn(place, {})]);
      try {
        assert.deepEqual((await countLive(running[0]!)).hosts, [{ provider: 'dryrun', account: 'dryrun' }]);
      } finally {
        await Promise.all(running.map((s) => s.close()));
        await place.cleanup();
      }
    });

    it('a booking race on two instances never gives two 201s for one account', async () => {
      const place = await freshPlace(kind);
      const [a, b] = await Promise.all([startOn(place, WEBEX_ENV), startOn(place, WEBEX_ENV)]);
      try {
        for (const start of ['2026-12-01T10:00:00+09:00', '2026-12-02T13:30:00+09:00', '2026-12-03T09:00:00+09:00']) {
          const tries = Array.from({ length: 16 }, (_, i) =>
            fetch(`${(i % 2 ? a : b)!.url}/api/v1/consultations`, {
              method: 'POST',
              headers: { authorization: `Bearer ${testConfig({}).bootstrapAdminToken}`, 'content-type': 'application/json' },
              body: JSON.stringify(booking({ start, citizen: { name: `市民${i}`, email: `c${i}@example.jp` } })),
            }).then(async (r) => ({ status: r.status, body: await r.text() })),
          );
          const answers = await Promise.all(tries);
          const statuses = answers.map((x) => x.status);
          const failed = answers.find((x) => x.status >= 500);
          assert.equal(failed, undefined, `${start}: no 5xx (${statuses.join(' ')}): ${failed?.body}`);
          assert.equal(statuses.filter((s) => s === 201).length, 1, `${start}: exactly one booking (${statuses.join(' ')})`);
          assert.ok(
            statuses.every((s) => s === 201 || s === 409),
            `${start}: the others are told it is taken (${statuses.join(' ')})`,
          );
        }
        assert.equal((await countLive(a!)).hosts.length, 1);
      } finally {
        await Promise.all([a!.close(), b!.close()]);
        await place.cleanup();
      }
    });
  });
}

describe('a contended database', () => {
  it('a deadlock or lock timeout is tried again with jittered backoff, within a time budget, then succeeds', async () => {
    let calls = 0;
    const slept: number[] = [];
    const value = await retryTransient(
      async () => {
        calls++;
        if (calls < 4) throw Object.assign(new Error('deadlock detected'), { code: calls === 2 ? '55P03' : '40P01' });
        return 'booked';
      },
      { sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
    );
    assert.equal(value, 'booked');
    assert.equal(calls, 4);
    assert.deepEqual(slept, [backoffMs(1, DB_RETRY, () => 0.5), backoffMs(2, DB_RETRY, () => 0.5), backoffMs(3, DB_RETRY, () => 0.5)]);
  });

  it('past the budget it stops with DatabaseBusy (bounded by time, not by a count), and other errors pass at once', async () => {
    let t = 0;
    let calls = 0;
    await assert.rejects(
      retryTransient(
        async () => {
          calls++;
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        },
        { budgetMs: 10_000, now: () => t, sleep: async (ms) => void (t += ms), random: () => 1 },
      ),
      DatabaseBusy,
    );
    assert.ok(calls > 4, `tried ${calls} times in the budget`);
    assert.ok(t <= 10_000);
    let other = 0;
    await assert.rejects(
      retryTransient(async () => {
        other++;
        throw new Error('syntax error');
      }),
      /syntax error/,
    );
    assert.equal(other, 1);
  });

  it('a request the database cannot serve in time gets 503 problem+json in both languages, with Retry-After', async () => {
    const app = express();
    app.get('/busy', () => {
      throw new DatabaseBusy(new Error('deadlock detected'));
    });
    app.get('/pool', () => {
      throw new Error('timeout exceeded when trying to connect');
    });
    app.use(problemHandler(createLogger('silent')));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      for (const p of ['/busy', '/pool']) {
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`);
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
        const body = (await res.json()) as { detail: string; detail_ja: string; status: number };
        assert.equal(body.status, 503);
        assert.match(body.detail_ja, /混み合って/);
        assert.match(body.detail, /busy/);
      }
    } finally {
      server.close();
    }
  });
});

if (PG_URL) {
  describe('PostgreSQL connections', () => {
    it('never wait forever for a lock: lock_timeout and idle-in-transaction limits are set on every connection', async () => {
      const place = await freshPlace('postgres');
      const s = await startOn(place, {});
      try {
        const { sql } = await import('kysely');
        const r = await sql<{
          lock: string;
          idle: string;
        }>`select current_setting('lock_timeout') as lock, current_setting('idle_in_transaction_session_timeout') as idle`.execute(s.store.db);
        assert.equal(r.rows[0]!.lock, '10s');
        assert.equal(r.rows[0]!.idle, '1min');
      } finally {
        await s.close();
        await place.cleanup();
      }
    });
  });
}
