// Bookings, slots and the outbox, for `npm run bench`, each beside its floor measured in the same run:
// - bookings over HTTP (8 clients, distinct slots; the median of three runs of 700) beside a direct insert of the product's own row set for one booking
//   (the consultation, its audit entries and outbox rows, read back from a real booking) into a fresh database of the
//   same schema: the ratio is the product's share of what its database can do (target ≥ 0.6);
// - one client's p50 / p99 (targets ≤ 2 ms / ≤ 10 ms), and both again with 100,000 consultations already stored
//   (target: within 1.5× of the empty database);
// - 100 concurrent creates of one slot on a quiet server: exactly one 201 (the run fails otherwise), p99 ≤ 150 ms;
// - the slot search: one day of one host (p50 ≤ 1 ms SQLite, ≤ 2 ms PostgreSQL) and a year of all hosts (within 1.5× of
//   the pure computation for the same calendar and bookings);
// - 10,000 sustained bookings: no 5xx, the last 2,000 within 1.5× of the first; the server's memory idle, after them,
//   and after 2,000 more (targets ≤ 120 MB idle, ≤ 200 MB and flat);
// - the outbox: one claim among 1,000 and among 10,000 pending jobs (linear draining: the same time per claim).
// The server runs in its own process (as in production), so the load generator does not share its event loop.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Insertable } from 'kysely';
import { openStore } from '../core/store/db.ts';
import type { Store } from '../core/store/db.ts';
import type { AuditLogTable, ConsultationTable, OutboxTable } from '../core/store/schema.ts';
import { createIdSource } from '../core/ids.ts';
import { claimDue } from '../core/outbox.ts';
import { DAY_MS, MINUTE_MS, addDays, toCityIso, toLocalDate } from '../core/time.ts';
import { findFreeSlots } from '../scheduler/calendar/slots.ts';
import { loadCityCalendar } from '../scheduler/calendar-store.ts';
import { loadConfig } from '../core/config.ts';
import { ensureConfiguredHosts } from '../scheduler/hosts.ts';
import { seedDepartments } from '../scheduler/departments.ts';
import { sql } from 'kysely';
import { inBenchSchema } from './pg.ts';

const TOKEN = 'bench-admin-token-0123456789abcdef';
const ROOT = path.resolve(import.meta.dirname, '..');
const CLIENTS = 8;
const HOSTS = 4;
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
const SUSTAINED = Number(process.env.BENCH_SUSTAINED ?? 10_000);
const LENGTH = 15; // minutes, with no buffer: 35 slots a day per host, enough distinct slots for every phase
/** What `npm start` gives node (package.json: its flags and entry), so the bench measures what runs in production. */
export const START_ARGS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .slice(1);
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const f = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
const out = (name: string, text: string) => process.stdout.write(`${name.padEnd(10)} ${text}\n`);
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

const usedPorts = new Set<number>();

/**
 * A port nobody listens on, never one this run used before: fetch keeps idle connections per address, and a server
 * started again on the port of one that stopped would be sent requests on a dead connection (ECONNRESET).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    if (!usedPorts.has(port)) {
      usedPorts.add(port);
      return port;
    }
  }
}

interface Running {
  readonly url: string;
  readonly child: ChildProcess;
  rssMb(): number;
  close(): Promise<void>;
}

async function startProduct(dir: string, databaseUrl: string | null): Promise<Running> {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    BIND_ADDRESS: '127.0.0.1',
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl ?? '',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    HORIZON_DAYS: '366',
    MIN_NOTICE_MINUTES: '0',
    BUFFER_MINUTES: '0',
    REMINDERS: '1d@10:00,1h',
  };
  const child = spawn(process.execPath, START_ARGS, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null) process.stderr.write(`the server exited with ${code}\n`);
    if (signal && signal !== 'SIGTERM') process.stderr.write(`the server was stopped by ${signal}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('madoguchi is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The time to a whole answer of a GET, read but not parsed (the server's work and the transfer, not the client's JSON.parse). */
async function timedGet(server: Running, p: string): Promise<number> {
  const t0 = performance.now();
  const res = await send(`${server.url}/api/v1${p}`, { headers });
  await res.arrayBuffer();
  return performance.now() - t0;
}

/**
 * A connection fetch kept open and reused just as the server closed it (its keep-alive timeout, after a pause) ends
 * in ECONNRESET: the request is sent once more on a new connection (had the first been taken, the second is a 409,
 * counted as not created). Counted, and printed.
 */
let resets = 0;

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    resets++;
    return fetch(url, init);
  }
}

async function api(server: Running, method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await send(`${server.url}/api/v1${p}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, ms: performance.now() - t0 };
}

const bookingBody = (start: string, i: number) => ({
  start,
  durationMinutes: LENGTH,
  department: '税務課',
  citizen: { name: `市民${i}`, email: `c${i}@example.jp` },
});

/** Free starts (any host) from the day after `fromDay`, as many as asked. */
class SlotSupply {
  private readonly starts: string[] = [];
  private day: string;
  constructor(day: string) {
    this.day = day;
  }
  async take(server: Running, n: number): Promise<string[]> {
    while (this.starts.length < n) {
      const to = addDays(this.day, 20);
      const r = await api(server, 'GET', `/slots?from=${this.day}&to=${to}&duration=${LENGTH}`);
      const slots = (r.body as { slots: Array<{ start: string }> }).slots;
      // Each start once, as many times as hosts are free at it: every booking takes one of them.
      for (const s of slots) this.starts.push(s.start);
      this.day = addDays(to, 1);
    }
    return this.starts.splice(0, n);
  }
}

/** `n` bookings by `clients` clients: per second, latencies sorted, how many were not 201, and how many were 5xx. */
async function book(server: Running, starts: string[], clients: number, offset: number) {
  const ms: number[] = [];
  let not201 = 0;
  let fivexx = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < starts.length) {
        const i = next++;
        const r = await api(server, 'POST', '/consultations', bookingBody(starts[i]!, offset + i));
        ms.push(r.ms);
        if (r.status !== 201) not201++;
        if (r.status >= 500) fivexx++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  ms.sort((a, b) => a - b);
  return { perSecond: starts.length / seconds, ms, not201, fivexx };
}

/** Waits until the server's worker has nothing due (the race runs on a quiet server). */
async function quiet(store: Store): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const due = await store.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('run_after', '<=', new Date().toISOString())
      .executeTakeFirstOrThrow();
    if (Number(due.n) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The product's row set for one booking, read back from a real one: the floor inserts exactly these, anew. */
async function rowSetOf(store: Store, id: string) {
  const consultation = await store.db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const audit = await store.db.selectFrom('audit_log').selectAll().where('entity_id', '=', id).where('action', '=', 'consultation.booked').execute();
  const outbox = await store.db.selectFrom('outbox').selectAll().where('consultation_id', '=', id).where('created_at', '=', consultation.created_at).execute();
  return { consultation, audit, outbox };
}

/** The database floor: the same rows inserted directly, one transaction per booking, `clients` at a time, in a fresh database. */
async function directInserts(databaseUrl: string | null, rows: Awaited<ReturnType<typeof rowSetOf>>, n: number): Promise<number> {
  return inBenchSchema(databaseUrl, async (schemaUrl) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-floor-'));
    const store = await openStore({ databaseUrl: schemaUrl, sqlitePath: path.join(dir, 'floor.db') });
    try {
      const ids = createIdSource();
      // The same schema's first host and departments, made as a start makes them.
      const now = Date.now();
      await ensureConfiguredHosts(store.db, ids, now, loadConfig({}));
      await seedDepartments(store.db, ids, now);
      const host = await store.db.selectFrom('hosts').select('id').executeTakeFirstOrThrow();
      const department = await store.db.selectFrom('departments').select('id').where('name', '=', '税務課').executeTakeFirstOrThrow();
      const c0 = { ...rows.consultation, host_id: host.id, department_id: department.id, site_id: null };
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < n) {
            const i = next++;
            const shift = i * LENGTH * MINUTE_MS;
            const at = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
            const id = ids.shortId();
            await store.db.transaction().execute(async (trx) => {
              await trx
                .insertInto('consultations')
                .values({ ...c0, id, start_at: at(c0.start_at), end_at: at(c0.end_at), block_end_at: at(c0.block_end_at) } as Insertable<ConsultationTable>)
                .execute();
              for (const a of rows.audit)
                await trx
                  .insertInto('audit_log')
                  .values({ ...a, id: ids.sortableId(Date.now()), entity_id: id } as Insertable<AuditLogTable>)
                  .execute();
              for (const o of rows.outbox)
                await trx
                  .insertInto('outbox')
                  .values({ ...o, id: ids.sortableId(Date.now()), consultation_id: id } as Insertable<OutboxTable>)
                  .execute();
            });
          }
        }),
      );
      return n / ((performance.now() - t0) / 1000);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A bare node:http server in its own process that reads the JSON body and answers 201 with it: the HTTP floor. */
async function bareHttpFloor(n: number): Promise<number> {
  const port = await freePort();
  const code = `require('node:http').createServer((q, s) => { let b = ''; q.on('data', (c) => (b += c)); q.on('end', () => { s.writeHead(201, { 'content-type': 'application/json' }); s.end(JSON.stringify({ id: 'K7M2Q9XA', echo: JSON.parse(b) })); }); }).listen(${port}, '127.0.0.1', () => process.stdout.write('up'))`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  try {
    const server = { url: `http://127.0.0.1:${port}` } as Running;
    const starts = Array.from({ length: n }, (_, i) => new Date(Date.now() + i * 900_000).toISOString());
    await book(server, starts.slice(0, 200), CLIENTS, 0);
    return (await book(server, starts, CLIENTS, 0)).perSecond;
  } finally {
    child.kill('SIGTERM');
  }
}

/** 100,000 consultations held over the past year on the hosts, each with its audit entry and finished outbox rows. */
async function seedHistory(store: Store, rows: Awaited<ReturnType<typeof rowSetOf>>, hostIds: string[], n: number): Promise<void> {
  const ids = createIdSource();
  const c0 = rows.consultation;
  const firstDay = Date.parse(`${toLocalDate(Date.now() - 370 * DAY_MS)}T00:00:00+09:00`);
  const perDay = Math.ceil(n / 360);
  const batch = 500;
  for (let from = 0; from < n; from += batch) {
    const cs: Insertable<ConsultationTable>[] = [];
    const audits: Insertable<AuditLogTable>[] = [];
    const jobs: Insertable<OutboxTable>[] = [];
    for (let i = from; i < Math.min(n, from + batch); i++) {
      const day = Math.floor(i / perDay);
      const k = i % perDay;
      const host = hostIds[k % hostIds.length]!;
      const slot = Math.floor(k / hostIds.length);
      const start = firstDay + day * DAY_MS + (8 * 60 + 30) * MINUTE_MS + slot * 10 * MINUTE_MS;
      const id = ids.shortId();
      const iso = (t: number) => new Date(t).toISOString();
      cs.push({
        ...c0,
        id,
        host_id: host,
        status: 'completed',
        start_at: iso(start),
        end_at: iso(start + 10 * MINUTE_MS),
        block_end_at: iso(start + 10 * MINUTE_MS),
        created_at: iso(start - DAY_MS),
        updated_at: iso(start),
      });
      for (const a of rows.audit) audits.push({ ...a, id: ids.sortableId(start), entity_id: id, at: iso(start - DAY_MS) });
      for (const o of rows.outbox) jobs.push({ ...o, id: ids.sortableId(start), consultation_id: id, status: 'done', done_at: iso(start), locked_until: null });
    }
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('consultations').values(cs).execute();
      await trx.insertInto('audit_log').values(audits).execute();
      await trx.insertInto('outbox').values(jobs).execute();
    });
  }
  if (store.dialect === 'postgres') await sql`analyze`.execute(store.db);
}

async function openProductStore(dir: string, databaseUrl: string | null): Promise<Store> {
  return openStore({ databaseUrl, sqlitePath: path.join(dir, 'madoguchi.db'), migrate: false });
}

/** The median of three runs of `n` bookings (a shared machine is noisy; one short run can land on a busy moment). */
async function medianRun(server: Running, supply: SlotSupply, n: number, offset: number) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await book(server, await supply.take(server, n), CLIENTS, offset + i * n));
  runs.sort((a, b) => a.perSecond - b.perSecond);
  const mid = runs[1]!;
  return { ...mid, not201: runs.reduce((sum, r) => sum + r.not201, 0) };
}

/** Single-client latencies of `n` bookings. */
async function oneClient(server: Running, supply: SlotSupply, n: number, offset: number) {
  const r = await book(server, await supply.take(server, n), 1, offset);
  return { p50: pct(r.ms, 50), p99: pct(r.ms, 99) };
}

/** The bookings, the race, the slots and the memory on one database; returns whether exactly one create won the race. */
export async function benchBookings(name: string, databaseUrl: string | null): Promise<boolean> {
  return inBenchSchema(databaseUrl, async (schemaUrl) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-bench-'));
    let server = await startProduct(dir, schemaUrl);
    const store = await openProductStore(dir, schemaUrl);
    let raceOk = false;
    try {
      await new Promise((r) => setTimeout(r, 500));
      const idle = server.rssMb();
      for (let i = 1; i < HOSTS; i++) await api(server, 'POST', '/hosts', { displayName: `相談用PC ${i + 1}`, provider: 'dryrun', account: `bench-${i}` });
      const hostIds = ((await api(server, 'GET', '/hosts')).body as { hosts: Array<{ id: string }> }).hosts.map((h) => h.id);
      const supply = new SlotSupply(addDays(toLocalDate(Date.now()), 1));

      // Warm up (code compiled, caches filled), then read back one booking's rows for the floor.
      const warm = await book(server, await supply.take(server, 300), CLIENTS, 0);
      const sample = await api(server, 'POST', '/consultations', bookingBody((await supply.take(server, 1))[0]!, 999_999));
      const rows = await rowSetOf(store, (sample.body as { id: string }).id);
      const floor = await directInserts(databaseUrl, rows, 1000);
      const http = await bareHttpFloor(2000);
      // Both floors on one request's path, one after the other: what a perfect server could do on this machine.
      const both = 1 / (1 / floor + 1 / http);
      const run = await medianRun(server, supply, 700, 1000);
      out(
        name,
        `bookings, ${CLIENTS} clients, distinct slots: ${f(run.perSecond)}/s  p50 ${f(pct(run.ms, 50), 2)} ms  p99 ${f(pct(run.ms, 99), 2)} ms  non-201 ${run.not201 + warm.not201}`,
      );
      out(
        name,
        `  floors: direct insert of the same ${1 + rows.audit.length + rows.outbox.length} rows ${f(floor)}/s (ratio ${(run.perSecond / floor).toFixed(2)}, target ≥ 0.6: ${mark(run.perSecond / floor >= 0.6)})` +
          `   bare node:http echo ${f(http)}/s   both in a row ${f(both)}/s (ratio ${(run.perSecond / both).toFixed(2)})`,
      );
      const single = await oneClient(server, supply, 300, 3000);
      out(name, `one client: p50 ${f(single.p50, 2)} ms  p99 ${f(single.p99, 2)} ms  (targets ≤ 2 / ≤ 10 ms: ${mark(single.p50 <= 2 && single.p99 <= 10)})`);

      // The slot search over HTTP beside the pure computation for the same calendar and bookings.
      const config = loadConfig({ HORIZON_DAYS: '366', MIN_NOTICE_MINUTES: '0', BUFFER_MINUTES: '0' });
      const calendar = await loadCityCalendar(store.db, config.calendar);
      const day = addDays(toLocalDate(Date.now()), 2);
      const dayTimes: number[] = [];
      for (let i = 0; i < 200; i++) dayTimes.push(await timedGet(server, `/slots?from=${day}&to=${day}&duration=60&hostId=${hostIds[0]}`));
      dayTimes.sort((a, b) => a - b);
      const busyRows = await store.db.selectFrom('consultations').select(['host_id', 'start_at', 'block_end_at']).where('status', '<>', 'cancelled').execute();
      const busyOf = (h: string) =>
        busyRows.filter((b) => b.host_id === h).map((b) => ({ start: Date.parse(b.start_at), blockEnd: Date.parse(b.block_end_at) }));
      const pure = (from: string, to: string, hosts: string[]) => {
        const t0 = performance.now();
        // The same answer as the API's, in this process: the search of each host, in time order, as ISO times in JSON.
        const all = hosts
          .flatMap((h) => findFreeSlots({ calendar, ...config.slots, from, to, durationMinutes: 60, now: Date.now(), busy: busyOf(h) }).map((s) => ({ h, s })))
          .sort((a, b) => a.s.start - b.s.start);
        JSON.stringify({ slots: all.map(({ h, s }) => ({ hostId: h, start: toCityIso(s.start), end: toCityIso(s.end) })), closedDays: [] });
        return performance.now() - t0;
      };
      for (let i = 0; i < 5; i++) pure(day, day, [hostIds[0]!]);
      const pureDay: number[] = [];
      for (let i = 0; i < 200; i++) pureDay.push(pure(day, day, [hostIds[0]!]));
      pureDay.sort((a, b) => a - b);
      const dayTarget = databaseUrl ? 2 : 1;
      out(
        name,
        `slots, one day of one host: p50 ${f(pct(dayTimes, 50), 2)} ms over HTTP   pure ${f(pct(pureDay, 50), 3)} ms   (target ≤ ${dayTarget} ms: ${mark(pct(dayTimes, 50) <= dayTarget)})`,
      );
      const yearFrom = addDays(toLocalDate(Date.now()), 1);
      const yearTo = addDays(yearFrom, 364);
      const yearHttp: number[] = [];
      const yearPure: number[] = [];
      for (let i = 0; i < 5; i++) {
        yearHttp.push(await timedGet(server, `/slots?from=${yearFrom}&to=${yearTo}&duration=60`));
        yearPure.push(pure(yearFrom, yearTo, hostIds));
      }
      yearHttp.sort((a, b) => a - b);
      yearPure.sort((a, b) => a - b);
      const yearRatio = yearHttp[2]! / yearPure[2]!;
      out(
        name,
        `slots, one year of all ${HOSTS} hosts (median of 5): ${f(yearHttp[2]!)} ms over HTTP   pure (the search and the same JSON answer, in process) ${f(yearPure[2]!)} ms   ratio ${yearRatio.toFixed(2)} (target ≤ 1.5: ${mark(yearRatio <= 1.5)})`,
      );

      // 100 creates of one free slot at once, on a quiet server.
      await quiet(store);
      const raceDay = addDays(toLocalDate(Date.now()), 300);
      const hostId = hostIds[0]!;
      const target = (
        (await api(server, 'GET', `/slots?from=${raceDay}&to=${addDays(raceDay, 7)}&duration=${LENGTH}&hostId=${hostId}`)).body as {
          slots: Array<{ start: string }>;
        }
      ).slots[0]!.start;
      const t1 = performance.now();
      const race = await Promise.all(
        Array.from({ length: 100 }, (_, i) => api(server, 'POST', '/consultations', { ...bookingBody(target, 500_000 + i), hostId })),
      );
      const raceAll = performance.now() - t1;
      const raceMs = race.map((r) => r.ms).sort((a, b) => a - b);
      const won = race.filter((r) => r.status === 201).length;
      raceOk = won === 1 && race.every((r) => r.status === 201 || r.status === 409);
      out(
        name,
        `one slot of one host, 100 concurrent creates: ${f(raceAll, 0)} ms in all  p99 ${f(pct(raceMs, 99), 1)} ms (target ≤ 150: ${mark(pct(raceMs, 99) <= 150)})   201: ${won}, 409: ${race.filter((r) => r.status === 409).length}   exactly one winner: ${raceOk ? 'ok' : 'FAILED'}`,
      );

      // Sustained bookings, 2,000 at a time, then 2,000 more for the memory.
      const chunks: number[] = [];
      let fivexx = 0;
      for (let done = 0; done < SUSTAINED; done += 2000) {
        const r = await book(server, await supply.take(server, Math.min(2000, SUSTAINED - done)), CLIENTS, 10_000 + done);
        chunks.push(r.perSecond);
        fivexx += r.fivexx;
      }
      const after = server.rssMb();
      const more = await book(server, await supply.take(server, 2000), CLIENTS, 30_000);
      fivexx += more.fivexx;
      const later = server.rssMb();
      const flat = chunks.at(-1)! * 1.5 >= chunks[0]!;
      out(
        name,
        `${SUSTAINED} sustained bookings, per 2,000: ${chunks.map((c) => c.toFixed(0)).join(' → ')} /s   5xx: ${fivexx}   connections reset at reuse and sent again: ${resets}   last within 1.5× of first: ${mark(flat && fivexx === 0)}`,
      );
      out(
        name,
        `memory (RSS): idle ${f(idle, 0)} MB (target ≤ 120: ${mark(idle <= 120)})   after ${SUSTAINED} bookings ${f(after, 0)} MB   after 2,000 more ${f(later, 0)} MB (target ≤ 200 and flat: ${mark(after <= 200 && later <= after * 1.1)})`,
      );

      // 100,000 consultations already stored: the same measurements again.
      await server.close();
      const emptyRun = run.perSecond;
      const t2 = performance.now();
      await seedHistory(store, rows, hostIds, HISTORY);
      const seeded = (performance.now() - t2) / 1000;
      server = await startProduct(dir, schemaUrl);
      await book(server, await supply.take(server, 300), CLIENTS, 40_000);
      const full = await medianRun(server, supply, 700, 41_000);
      const fullSingle = await oneClient(server, supply, 300, 43_000);
      const ratio = emptyRun / full.perSecond;
      out(
        name,
        `with ${HISTORY} stored (seeded in ${seeded.toFixed(0)} s): ${f(full.perSecond)}/s  p50 ${f(pct(full.ms, 50), 2)} ms  p99 ${f(pct(full.ms, 99), 2)} ms   one client p50 ${f(fullSingle.p50, 2)} ms  p99 ${f(fullSingle.p99, 2)} ms   empty ÷ full ${ratio.toFixed(2)} (target ≤ 1.5: ${mark(ratio <= 1.5)})`,
      );
    } finally {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return raceOk;
  });
}

/** One claim among 1,000 and among 10,000 pending jobs: draining is linear when the two take the same time. */
export async function benchOutbox(name: string, databaseUrl: string | null): Promise<void> {
  await inBenchSchema(databaseUrl, async (schemaUrl) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-outbox-'));
    const store = await openStore({ databaseUrl: schemaUrl, sqlitePath: path.join(dir, 'outbox.db') });
    const ids = createIdSource();
    try {
      const results: string[] = [];
      let have = 0;
      for (const size of [1000, 10_000]) {
        const now = Date.now();
        const rows: Insertable<OutboxTable>[] = [];
        for (let i = have; i < size; i++) {
          rows.push({
            id: ids.sortableId(now - size + i),
            kind: 'bench.noop',
            consultation_id: `C${String(i).padStart(7, '0')}`,
            payload: '{}',
            status: 'pending',
            run_after: new Date(now - 60_000).toISOString(),
            locked_until: null,
            last_error: '',
            created_at: new Date(now - 60_000).toISOString(),
            done_at: null,
          });
        }
        for (let i = 0; i < rows.length; i += 500)
          await store.db
            .insertInto('outbox')
            .values(rows.slice(i, i + 500))
            .execute();
        have = size;
        if (store.dialect === 'postgres') await sql`analyze outbox`.execute(store.db);
        const times: number[] = [];
        for (let i = 0; i < 30; i++) {
          const t0 = performance.now();
          const claimed = await claimDue(store.db, store.dialect, Date.now(), 15_000, 10);
          times.push(performance.now() - t0);
          // Put them back, so the next claim sees as many pending.
          await store.db
            .updateTable('outbox')
            .set({ locked_until: null })
            .where(
              'id',
              'in',
              claimed.map((c) => c.id),
            )
            .execute();
        }
        times.sort((a, b) => a - b);
        results.push(`${size} pending ${f(pct(times, 50), 3)} ms`);
      }
      out(name, `outbox, one claim (10 jobs): ${results.join('   ')}   (linear draining: about the same)`);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
