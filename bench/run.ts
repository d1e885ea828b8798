// npm run bench: server start, the relay alert and the meeting after a booking (bench/flows.ts), the in-meeting app's
// weight and first screen (bench/app.ts), booking throughput and latency over HTTP on loopback, the one-slot race, and a
// year of slot search.
// SQLite always; PostgreSQL at BENCH_DATABASE_URL (or TEST_DATABASE_URL) when it answers. Figures are printed, not asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { findFreeSlots } from '../scheduler/calendar/slots.ts';
import { japaneseHolidays } from '../scheduler/calendar/holidays.ts';
import { localInstant } from '../core/time.ts';

import { benchApp } from './app.ts';
import { benchFlows, benchStart } from './flows.ts';
import { inBenchSchema } from './pg.ts';

const TOKEN = 'bench-admin-token-0123456789abcdef';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
const dayAfter = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);

async function pgUrl(): Promise<string | null> {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('create extension if not exists btree_gist');
    await c.end();
    return url;
  } catch {
    return null;
  }
}

function benchDatabase(name: string, databaseUrl: string | null): Promise<void> {
  return inBenchSchema(databaseUrl, (schemaUrl) => bookings(name, schemaUrl));
}

async function bookings(name: string, databaseUrl: string | null): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-bench-'));
  let server: { url: string; close(): Promise<void> } | null = null;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const post = async (start: string, i: number) => {
    const t0 = performance.now();
    const res = await fetch(`${server!.url}/api/v1/consultations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ start, durationMinutes: 30, department: '税務課', citizen: { name: `市民${i}`, email: `c${i}@example.jp` } }),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  };
  try {
    // The server runs in its own process (as in production), so that the load generator does not share its event loop.
    const port = await freePort();
    const env = {
      ...process.env,
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      DATA_DIR: dir,
      DATABASE_URL: databaseUrl ?? '',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      HORIZON_DAYS: '366',
      MIN_NOTICE_MINUTES: '0',
    };
    const child = spawn(process.execPath, ['main.ts'], { cwd: path.resolve(import.meta.dirname, '..'), env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('madoguchi is running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    server = {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
    const slotsRes = await fetch(`${server.url}/api/v1/slots?from=${dayAfter(1)}&to=${dayAfter(365)}&duration=30`, { headers });
    const slots = ((await slotsRes.json()) as { slots: Array<{ start: string }> }).slots;
    // Grid slots three apart (45 minutes): 30 minutes plus the 15-minute buffer, so no two collide.
    const distinct = slots.filter((_, i) => i % 3 === 0).slice(0, BOOKINGS);

    // Distinct slots, CLIENTS requests in flight.
    const latencies: number[] = [];
    let failed = 0;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < distinct.length) {
          const i = next++;
          const r = await post(distinct[i]!.start, i);
          latencies.push(r.ms);
          if (r.status !== 201) failed++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `${name.padEnd(10)} distinct slots   ${String(distinct.length).padStart(5)} bookings, ${CLIENTS} clients: ${fmt(distinct.length / seconds)} bookings/s   p50 ${fmt(percentile(latencies, 50), 2)} ms   p99 ${fmt(percentile(latencies, 99), 2)} ms   non-201: ${failed}\n`,
    );

    // 100 concurrent creates on one free slot.
    const free = (
      (await (await fetch(`${server.url}/api/v1/slots?from=${dayAfter(300)}&to=${dayAfter(330)}&duration=30`, { headers })).json()) as {
        slots: Array<{ start: string }>;
      }
    ).slots;
    const target = free[0]!.start;
    const t1 = performance.now();
    const race = await Promise.all(Array.from({ length: 100 }, (_, i) => post(target, 100_000 + i)));
    const raceSeconds = (performance.now() - t1) / 1000;
    const raceMs = race.map((r) => r.ms).sort((a, b) => a - b);
    const won = race.filter((r) => r.status === 201).length;
    const refused = race.filter((r) => r.status === 409).length;
    process.stdout.write(
      `${name.padEnd(10)} one slot, 100 concurrent:        ${fmt(100 / raceSeconds)} requests/s  p50 ${fmt(percentile(raceMs, 50), 2)} ms   p99 ${fmt(percentile(raceMs, 99), 2)} ms   201: ${won} (must be 1)   409: ${refused}\n`,
    );

    // A year of slots over HTTP, with the bookings above on the calendar.
    const t2 = performance.now();
    const year = await fetch(`${server.url}/api/v1/slots?from=${dayAfter(1)}&to=${dayAfter(365)}&duration=60`, { headers });
    const count = ((await year.json()) as { slots: unknown[] }).slots.length;
    process.stdout.write(`${name.padEnd(10)} GET /slots for one year (one host): ${fmt(performance.now() - t2, 1)} ms for ${count} slots\n`);
  } finally {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchPureSlotSearch(): void {
  const calendar = {
    weeklyHours: [
      [],
      [{ start: 510, end: 1035 }],
      [{ start: 510, end: 1035 }],
      [{ start: 510, end: 1035 }],
      [{ start: 510, end: 1035 }],
      [{ start: 510, end: 1035 }],
      [],
    ],
    closeOnHolidays: true,
    holidays: japaneseHolidays(),
    yearEndClosure: { from: '12-29', to: '01-03' },
    exceptions: [],
  };
  const busy = [];
  for (let d = 0; d < 365; d++) {
    const day = localInstant('2027-01-01', 0) + d * 86_400_000;
    busy.push({ start: day + 10 * 3_600_000, blockEnd: day + 11.25 * 3_600_000 }, { start: day + 14 * 3_600_000, blockEnd: day + 15.25 * 3_600_000 });
  }
  const rules = { gridMinutes: 15, bufferMinutes: 15, minNoticeMinutes: 120, horizonDays: 366 };
  const query = { calendar, ...rules, from: '2027-01-01', to: '2027-12-31', durationMinutes: 60, now: localInstant('2026-12-31', 9 * 60), busy };
  findFreeSlots(query); // warm-up
  const runs = 20;
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < runs; i++) n = findFreeSlots(query).length;
  process.stdout.write(
    `pure       one year of slots, one host (${n} slots, ${busy.length} bookings): ${fmt((performance.now() - t0) / runs, 2)} ms per search\n`,
  );
}

process.stdout.write(`madoguchi benchmark — Node ${process.version}, ${new Date().toISOString()}\n`);
benchPureSlotSearch();
await benchStart();
await benchApp();
await benchFlows('sqlite', null);
await benchDatabase('sqlite', null);
const url = await pgUrl();
if (url) {
  await benchFlows('postgres', url);
  await benchDatabase('postgres', url);
} else process.stdout.write('postgres   skipped: no PostgreSQL at BENCH_DATABASE_URL / TEST_DATABASE_URL / 127.0.0.1:5432\n');
