import assert from 'node:assert/strict';
import type { CalendarException, CityCalendar } from './calendar.ts';
import { planDay } from './calendar.ts';
import { explainOutsideHours, findFreeSlots } from './slots.ts';
import type { SlotQuery } from './slots.ts';
import { japaneseHolidays } from './holidays.ts';
import { parseOpeningHours } from '../../core/hours.ts';
import { localInstant, toCityIso, addDays, MINUTE_MS } from '../../core/time.ts';

function sanukiCalendar(exceptions: CalendarException[] = []): CityCalendar {
  const hours = parseOpeningHours('mon-fri 08:30-17:15');
  assert.ok(hours.ok);
  return {
    weeklyHours: hours.value,
    closeOnHolidays: true,
    holidays: japaneseHolidays(),
    yearEndClosure: { from: '12-29', to: '01-03' },
    exceptions,
  };
}

const at = (date: string, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return localInstant(date, h! * 60 + m!);
};

function query(over: Partial<SlotQuery> = {}): SlotQuery {
  return {
    calendar: sanukiCalendar(),
    from: '2026-12-01',
    to: '2026-12-01',
    durationMinutes: 60,
    gridMinutes: 15,
    bufferMinutes: 15,
    minNoticeMinutes: 120,
    horizonDays: 90,
    now: at('2026-11-24', '09:00'),
    busy: [],
    ...over,
  };
}

const starts = (q: SlotQuery) => findFreeSlots(q).map((s) => toCityIso(s.start).slice(11, 16));

describe('city calendar', () => {
  it('is closed every day from 2026-12-29 to 2027-01-03 (年末年始)', () => {
    for (let d = '2026-12-29'; d <= '2027-01-03'; d = addDays(d, 1)) {
      const plan = planDay(sanukiCalendar(), d);
      assert.deepEqual(plan.open, [], d);
      assert.ok(plan.closedBecause, d);
    }
    assert.equal(planDay(sanukiCalendar(), '2026-12-28').open.length, 1, 'Monday 12/28 is open');
    assert.equal(planDay(sanukiCalendar(), '2027-01-04').open.length, 1, 'Monday 1/4 is open');
  });

  it('is closed on 2027-01-11 (成人の日) and says why', () => {
    const plan = planDay(sanukiCalendar(), '2027-01-11');
    assert.deepEqual(plan.open, []);
    assert.match(plan.closedBecause!.ja, /成人の日/);
  });

  it('is closed on a substitute holiday (振替休日 2026-05-06) and 国民の休日 (2026-09-22)', () => {
    assert.deepEqual(planDay(sanukiCalendar(), '2026-05-06').open, []);
    assert.deepEqual(planDay(sanukiCalendar(), '2026-09-22').open, []);
  });

  it('is closed on weekends and open 08:30–17:15 on weekdays', () => {
    assert.deepEqual(planDay(sanukiCalendar(), '2026-12-05').open, []);
    assert.deepEqual(planDay(sanukiCalendar(), '2026-12-01').open, [{ start: 510, end: 1035 }]);
  });

  it('honours an admin closure for a whole day, a range and part of a day', () => {
    const cal = sanukiCalendar([
      { kind: 'closed', startDate: '2026-12-02', endDate: '2026-12-02', startMinute: null, endMinute: null, note: '庁舎点検' },
      { kind: 'closed', startDate: '2026-12-07', endDate: '2026-12-08', startMinute: null, endMinute: null, note: '' },
      { kind: 'closed', startDate: '2026-12-03', endDate: '2026-12-03', startMinute: 720, endMinute: 780, note: '昼休み' },
    ]);
    assert.deepEqual(planDay(cal, '2026-12-02').open, []);
    assert.match(planDay(cal, '2026-12-02').closedBecause!.ja, /庁舎点検/);
    assert.deepEqual(planDay(cal, '2026-12-07').open, []);
    assert.deepEqual(planDay(cal, '2026-12-08').open, []);
    assert.deepEqual(planDay(cal, '2026-12-03').open, [
      { start: 510, end: 720 },
      { start: 780, end: 1035 },
    ]);
  });

  it('opens on a special opening day, with its own hours or the usual ones', () => {
    const cal = sanukiCalendar([
      { kind: 'open', startDate: '2026-12-06', endDate: '2026-12-06', startMinute: 540, endMinute: 720, note: '休日窓口' },
      { kind: 'open', startDate: '2027-01-11', endDate: '2027-01-11', startMinute: null, endMinute: null, note: '' },
    ]);
    assert.deepEqual(planDay(cal, '2026-12-06').open, [{ start: 540, end: 720 }]);
    assert.deepEqual(planDay(cal, '2027-01-11').open, [{ start: 510, end: 1035 }]);
  });
});

describe('slot search', () => {
  it('offers the grid from 08:30 and no slot that would end after 17:15', () => {
    const s = starts(query());
    assert.equal(s[0], '08:30');
    assert.equal(s.at(-1), '16:15');
    assert.ok(!s.includes('16:30'), 'a slot that would end after 17:15 is not offered');
    assert.equal(s.length, 32);
  });

  it('keeps the buffer before and after an existing consultation', () => {
    const busy = [{ start: at('2026-12-01', '10:00'), blockEnd: at('2026-12-01', '11:15') }]; // 10:00–11:00 + 15 min
    const s = starts(query({ busy }));
    assert.ok(s.includes('08:45'), '08:45–09:45 + 15 min buffer ends at 10:00');
    assert.ok(!s.includes('09:00'), '09:00–10:00 leaves no buffer before 10:00');
    assert.ok(!s.includes('11:00'));
    assert.ok(s.includes('11:15'), 'the next consultation may start when the buffer ends');
  });

  it('honours the minimum notice and the horizon', () => {
    const now = at('2026-12-01', '09:05');
    const s = starts(query({ now }));
    assert.equal(s[0], '11:15', 'two hours after 09:05, on the 15-minute grid');
    const far = findFreeSlots(query({ now, from: '2026-12-01', to: '2027-12-31', horizonDays: 90 }));
    assert.ok(far.at(-1)!.start <= now + 90 * 24 * 60 * MINUTE_MS);
  });

  it('offers nothing on closed days', () => {
    assert.deepEqual(findFreeSlots(query({ from: '2026-12-29', to: '2027-01-03' })), []);
    assert.deepEqual(findFreeSlots(query({ from: '2027-01-11', to: '2027-01-11' })), []);
  });

  it('does not depend on the machine time zone', () => {
    const before = process.env.TZ;
    const q = query({ from: '2026-12-01', to: '2026-12-10' });
    const inTokyo = findFreeSlots(q);
    try {
      process.env.TZ = 'America/Los_Angeles';
      assert.deepEqual(findFreeSlots(q), inTokyo);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('computes a year of slots for one host in milliseconds', () => {
    const busy = [];
    for (let d = '2027-01-04'; d < '2027-12-28'; d = addDays(d, 1)) {
      busy.push({ start: at(d, '10:00'), blockEnd: at(d, '11:15') });
    }
    const q = query({ from: '2027-01-01', to: '2027-12-31', horizonDays: 400, now: at('2026-12-31', '09:00'), busy });
    const t0 = performance.now();
    const slots = findFreeSlots(q);
    const ms = performance.now() - t0;
    assert.ok(slots.length > 5000);
    assert.ok(ms < 250, `took ${ms} ms`);
  });

  it('never offers a slot that overlaps a booking or its buffer (randomised)', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const busy = [];
      let t = at('2026-12-01', '08:30');
      for (let i = 0; i < 6; i++) {
        t += Math.floor(rand() * 8) * 15 * MINUTE_MS;
        const end = t + (15 + Math.floor(rand() * 6) * 15) * MINUTE_MS;
        busy.push({ start: t, blockEnd: end + 15 * MINUTE_MS });
        t = end + 15 * MINUTE_MS;
      }
      const duration = 15 + Math.floor(rand() * 8) * 15;
      for (const slot of findFreeSlots(query({ busy, durationMinutes: duration }))) {
        for (const b of busy) {
          assert.ok(slot.end + 15 * MINUTE_MS <= b.start || slot.start >= b.blockEnd);
        }
      }
    }
  });
});

describe('opening hours check for a booking', () => {
  it('explains a slot that would end after 17:15', () => {
    const why = explainOutsideHours(sanukiCalendar(), at('2026-12-01', '16:45'), at('2026-12-01', '17:45'));
    assert.match(why!.ja, /受付時間外/);
    assert.match(why!.en, /08:30–17:15/);
  });
  it('explains a duration longer than the day', () => {
    const why = explainOutsideHours(sanukiCalendar(), at('2026-12-01', '08:30'), at('2026-12-01', '18:30'));
    assert.match(why!.en, /525 minutes or less/);
  });
  it('accepts a consultation inside the hours', () => {
    assert.equal(explainOutsideHours(sanukiCalendar(), at('2026-12-01', '16:15'), at('2026-12-01', '17:15')), null);
  });
});
