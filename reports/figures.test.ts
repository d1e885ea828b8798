import assert from 'node:assert/strict';
import fc from 'fast-check';
import { localInstant } from '../core/time.ts';
import { computeFigures, percentile, spread } from './figures.ts';
import type { ConsultationFact, RelayFact } from './figures.ts';
import { eraYear, fiscalYear, fiscalYearOf, lastWeek, monthsOf, parsePeriod } from './periods.ts';

const at = (date: string, hhmm: string) => localInstant(date, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)));

function fact(id: string, over: Partial<ConsultationFact> = {}): ConsultationFact {
  return {
    id,
    startAt: at('2026-11-10', '10:00'),
    endAt: at('2026-11-10', '10:30'),
    status: 'completed',
    kind: 'booked',
    type: 'general',
    department: '税務課',
    site: '本庁',
    platform: 'webex',
    survey: null,
    ...over,
  };
}

const relay = (consultationId: string, department: string, requested: string, waitMinutes: number | null, date = '2026-11-10'): RelayFact => ({
  consultationId,
  department,
  requestedAt: at(date, requested),
  acceptedAt: waitMinutes === null ? null : at(date, requested) + waitMinutes * 60_000,
  status: waitMinutes === null ? 'cancelled' : 'done',
});

describe('figures', () => {
  it('percentiles are nearest rank', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([7], 90), 7);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
    assert.deepEqual(spread([3, 1, 2]), { count: 3, median: 2, p90: 3 });
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const v = percentile(sorted, p)!;
        // At least p% at or below it, and fewer than p% strictly below it.
        assert.ok(sorted.filter((x) => x <= v).length >= (p / 100) * sorted.length);
        assert.ok(sorted.filter((x) => x < v).length < (p / 100) * sorted.length || sorted.filter((x) => x < v).length === 0);
      }),
    );
  });

  it('counts consultations by department, site, kind, month and outcome; waits, relays, length and survey', () => {
    const period = fiscalYear(2026);
    const cs: ConsultationFact[] = [
      fact('a', { survey: { satisfaction: 5, again: true, comment: ' とても助かりました ' } }),
      fact('b', { department: '保険年金課', kind: 'walk_in', site: '三隅支所', startAt: at('2026-12-01', '09:00'), endAt: at('2026-12-01', '10:15') }),
      fact('c', { status: 'cancelled', startAt: at('2026-12-02', '14:00'), endAt: at('2026-12-02', '14:30') }),
      fact('d', {
        status: 'invited',
        startAt: at('2027-03-31', '16:00'),
        endAt: at('2027-03-31', '16:30'),
        survey: { satisfaction: 2, again: false, comment: '' },
      }),
      // Outside the 年度: not counted, nor its relay.
      fact('x', { startAt: at('2026-03-31', '10:00'), endAt: at('2026-03-31', '10:30') }),
    ];
    const rs = [
      relay('b', '税務課', '09:10', 2, '2026-12-01'),
      relay('b', '福祉課', '09:40', 12, '2026-12-01'),
      relay('a', '保険年金課', '10:05', null),
      relay('x', '税務課', '10:00', 99, '2026-03-31'),
    ];
    const f = computeFigures(period, cs, rs);
    assert.equal(f.consultations.total, 4);
    assert.deepEqual(f.consultations.byDepartment, [
      { key: '税務課', count: 3 },
      { key: '保険年金課', count: 1 },
    ]);
    assert.deepEqual(f.consultations.byKind, [
      { key: 'booked', count: 3 },
      { key: 'walk_in', count: 1 },
    ]);
    assert.deepEqual(
      f.consultations.byOutcome.map((o) => [o.key, o.count]),
      [
        ['held', 2],
        ['in_progress', 0],
        ['upcoming', 1],
        ['cancelled', 1],
        ['needs_attention', 0],
      ],
    );
    assert.equal(f.consultations.byMonth.length, 12, 'April to March');
    assert.deepEqual(f.consultations.byMonth[7], { month: '2026-11', booked: 1, walkIn: 0, total: 1 });
    assert.deepEqual(f.consultations.byMonth[8], { month: '2026-12', booked: 1, walkIn: 1, total: 2 });
    assert.deepEqual(f.consultations.byDepartmentMonth.find((d) => d.department === '税務課')?.months, [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1]);
    // Waits: 2 and 12 minutes accepted, one never accepted; the one outside the period is left out.
    assert.deepEqual(
      { count: f.waits.count, median: f.waits.median, p90: f.waits.p90, notAccepted: f.waits.notAccepted },
      { count: 2, median: 2, p90: 12, notAccepted: 1 },
    );
    assert.deepEqual(
      f.waits.byHour.map((h) => [h.hour, h.count]),
      [[9, 2]],
    );
    assert.deepEqual(
      f.waits.distribution.filter((d) => d.count > 0),
      [
        { key: '1-3', count: 1 },
        { key: '10-20', count: 1 },
      ],
    );
    assert.equal(f.relays.total, 3);
    assert.deepEqual(
      f.relays.perConsultation.map((p) => [p.key, p.count]),
      [
        ['0', 1],
        ['1', 1],
        ['2', 1],
        ['3+', 0],
      ],
      'cancelled consultations are left out',
    );
    assert.equal(f.relays.average, 1.5, 'three relays over the two held');
    assert.deepEqual(f.length, { count: 2, median: 30, p90: 75 });
    assert.equal(f.survey.answered, 2);
    assert.deepEqual(
      f.survey.satisfaction.map((s) => s.count),
      [0, 1, 0, 0, 1],
    );
    assert.equal(f.survey.averageSatisfaction, 3.5);
    assert.equal(f.survey.againShare, 0.5);
    assert.deepEqual(f.survey.comments, [{ date: '2026-11-10', department: '税務課', text: 'とても助かりました' }]);
  });

  it('an empty period has zeros and nulls, never NaN', () => {
    const f = computeFigures(fiscalYear(2030), [], []);
    assert.equal(f.consultations.total, 0);
    assert.equal(f.waits.median, null);
    assert.equal(f.relays.average, null);
    assert.equal(f.survey.againShare, null);
    assert.ok(!JSON.stringify(f).includes('NaN'));
  });
});

describe('periods', () => {
  it('年度 runs April to March, named in 西暦 and 和暦', () => {
    assert.equal(fiscalYearOf('2027-03-31'), 2026);
    assert.equal(fiscalYearOf('2027-04-01'), 2027);
    assert.equal(fiscalYear(2026).ja, '2026年度（令和8年度）');
    assert.equal(eraYear(2019), '令和元年');
    assert.equal(eraYear(2018), '平成30年');
    assert.deepEqual(monthsOf(fiscalYear(2026)).slice(0, 2), ['2026-04', '2026-05']);
    assert.equal(monthsOf(fiscalYear(2026)).at(-1), '2027-03');
    assert.deepEqual(lastWeek('2026-12-02'), {
      from: '2026-11-23',
      to: '2026-11-29',
      kind: 'week',
      ja: '2026年11月23日〜2026年11月29日',
      en: '2026-11-23 to 2026-11-29',
    });
    assert.equal(lastWeek('2026-11-30').from, '2026-11-23', 'on a Monday: the week before');
  });

  it('parses what a person asks for, and says what is wrong in both languages', () => {
    const today = '2026-12-04';
    assert.equal((parsePeriod({}, today) as { value: { from: string } }).value.from, '2026-04-01');
    assert.deepEqual((parsePeriod({ month: '2027-02' }, today) as { value: { to: string } }).value.to, '2027-02-28');
    for (const typed of ['2027/2', '2027年2月', '２０２７－０２'.replace('－', '-')])
      assert.equal((parsePeriod({ month: typed }, today) as { value: { from: string } }).value.from, '2027-02-01', typed);
    assert.deepEqual((parsePeriod({ from: '2026-11-01', to: '2026-11-30' }, today) as { value: { kind: string } }).value.kind, 'range');
    for (const bad of [
      { month: '2026-13' },
      { fiscalYear: 'abc' },
      { from: '2026-11-30', to: '2026-11-01' },
      { from: '2026-11-01' },
      { from: '2020-01-01', to: '2026-01-01' },
    ]) {
      const r = parsePeriod(bad, today);
      assert.equal(r.ok, false, JSON.stringify(bad));
      if (!r.ok) {
        assert.ok(r.reason.message.ja.length > 0 && r.reason.message.en.length > 0);
      }
    }
    fc.assert(
      fc.property(fc.record({ from: fc.string(), to: fc.string(), month: fc.string(), fiscalYear: fc.string() }, { requiredKeys: [] }), (q) => {
        const r = parsePeriod(q, today);
        if (r.ok) assert.ok(r.value.from <= r.value.to);
      }),
    );
  });
});

describe('the weekly summary’s time', () => {
  it('is the next Monday at the hour, never now or in the past', async () => {
    const { nextWeeklyRun } = await import('./weekly.ts');
    const at = (d: string, m: number) => localInstant(d, m);
    assert.equal(nextWeeklyRun(at('2026-12-02', 600), 510), at('2026-12-07', 510), 'Wednesday → next Monday');
    assert.equal(nextWeeklyRun(at('2026-12-07', 500), 510), at('2026-12-07', 510), 'Monday before the hour → today');
    assert.equal(nextWeeklyRun(at('2026-12-07', 510), 510), at('2026-12-14', 510), 'Monday at the hour → next week');
    assert.equal(nextWeeklyRun(at('2026-12-06', 1400), 510), at('2026-12-07', 510), 'Sunday night → tomorrow');
  });
});
