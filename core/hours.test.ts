import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseOpeningHours, parseYearEndClosure } from './hours.ts';
import { formatMinute } from './time.ts';

describe('OPENING_HOURS parser', () => {
  it('reads the default Monday–Friday 08:30–17:15', () => {
    const r = parseOpeningHours('mon-fri 08:30-17:15');
    assert.ok(r.ok);
    assert.deepEqual(r.value[0], []);
    assert.deepEqual(r.value[1], [{ start: 510, end: 1035 }]);
    assert.deepEqual(r.value[5], [{ start: 510, end: 1035 }]);
    assert.deepEqual(r.value[6], []);
  });

  it('reads several entries, lists of days and split ranges', () => {
    const r = parseOpeningHours('mon,wed 09:00-12:00,13:00-17:00; sat 09:00-12:00');
    assert.ok(r.ok);
    assert.deepEqual(r.value[1], [
      { start: 540, end: 720 },
      { start: 780, end: 1020 },
    ]);
    assert.deepEqual(r.value[2], []);
    assert.deepEqual(r.value[6], [{ start: 540, end: 720 }]);
  });

  it('refuses what it cannot read, with a reason', () => {
    for (const bad of ['', 'monday 08:30-17:15', 'mon-fri 17:15-08:30', 'mon-fri 8:30', 'mon-fri 25:00-26:00', 'mon fri 08:30-17:15']) {
      const r = parseOpeningHours(bad);
      assert.equal(r.ok, false, bad);
    }
  });

  it('round-trips any valid week it is given (property)', () => {
    const day = fc.constantFrom('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat');
    const range = fc.tuple(fc.integer({ min: 0, max: 1438 }), fc.integer({ min: 1, max: 240 })).map(([s, len]) => ({ start: s, end: Math.min(s + len, 1440) }));
    fc.assert(
      fc.property(day, fc.array(range, { minLength: 1, maxLength: 3 }), (d, ranges) => {
        const text = `${d} ${ranges.map((r) => `${formatMinute(r.start)}-${formatMinute(r.end)}`).join(',')}`;
        const r = parseOpeningHours(text);
        assert.ok(r.ok, text);
        const idx = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf(d);
        const covered = (m: number) => ranges.some((x) => m >= x.start && m < x.end);
        for (let m = 0; m < 1440; m += 7) {
          assert.equal(
            r.value[idx]!.some((x) => m >= x.start && m < x.end),
            covered(m),
          );
        }
      }),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseOpeningHours(s);
        assert.equal(typeof r.ok, 'boolean');
      }),
    );
  });
});

describe('YEAR_END_CLOSURE parser', () => {
  it('reads 12-29..01-03 and none', () => {
    assert.deepEqual(parseYearEndClosure('12-29..01-03'), { ok: true, value: { from: '12-29', to: '01-03' } });
    assert.deepEqual(parseYearEndClosure('none'), { ok: true, value: null });
  });
  it('refuses impossible dates', () => {
    assert.equal(parseYearEndClosure('12-32..01-03').ok, false);
    assert.equal(parseYearEndClosure('12-29').ok, false);
  });
});
