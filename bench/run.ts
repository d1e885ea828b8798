// npm run bench: server start, the relay alert and the meeting after a booking (bench/flows.ts), the in-meeting app's
// weight and first screen (bench/app.ts), the outbox's claims, and bookings beside the database's own floor, with and
// without 100,000 stored, the one-slot race, the slot search and the memory (bench/bookings.ts).
// SQLite always; PostgreSQL at BENCH_DATABASE_URL (or TEST_DATABASE_URL) when it answers. Figures are printed, not
// asserted; the run fails only when the one-slot race does not end with exactly one booking.
import pg from 'pg';
import { findFreeSlots } from '../scheduler/calendar/slots.ts';
import { japaneseHolidays } from '../scheduler/calendar/holidays.ts';
import { localInstant } from '../core/time.ts';
import { benchApp } from './app.ts';
import { benchFlows, benchStart } from './flows.ts';
import { benchBookings, benchOutbox } from './bookings.ts';

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

process.stdout.write(`madoguchi benchmark — Node ${process.version}, ${new Date().toISOString()} (shared machines are noisy: read the ratios)\n`);
const began = performance.now();
let raceFailed = false;
benchPureSlotSearch();
await benchStart();
await benchApp();
const url = await pgUrl();
for (const [name, databaseUrl] of [['sqlite', null], ...(url ? [['postgres', url]] : [])] as Array<[string, string | null]>) {
  await benchFlows(name, databaseUrl);
  await benchOutbox(name, databaseUrl);
  if (!(await benchBookings(name, databaseUrl))) raceFailed = true;
}
if (!url) process.stdout.write('postgres   skipped: no PostgreSQL at BENCH_DATABASE_URL / TEST_DATABASE_URL / 127.0.0.1:5432\n');
process.stdout.write(`done in ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
// A double booking (or none at all) in the race is a failure of the product, not a figure.
if (raceFailed) {
  process.stdout.write('FAILED: the one-slot race did not end with exactly one booking\n');
  process.exitCode = 1;
}
