import assert from 'node:assert/strict';
import { reminderTimes } from './reminders.ts';
import { parseReminders } from '../core/config.ts';
import { localInstant, toCityIso } from '../core/time.ts';

const at = (d: string, h: number, m = 0) => localInstant(d, h * 60 + m);

describe('reminder times', () => {
  const rules = parseReminders('1d@10:00,1h')!;
  it('the day before at 10:00 and one hour before, in Japan time', () => {
    const times = reminderTimes(rules, at('2026-12-01', 14), at('2026-11-24', 9));
    assert.deepEqual(times.map(toCityIso), ['2026-11-30T10:00:00+09:00', '2026-12-01T13:00:00+09:00']);
  });
  it('drops a reminder that would already be past when booked', () => {
    const times = reminderTimes(rules, at('2026-12-01', 9), at('2026-11-30', 16));
    assert.deepEqual(times.map(toCityIso), ['2026-12-01T08:00:00+09:00']);
  });
  it('none sends nothing; bad text is refused', () => {
    assert.deepEqual(parseReminders('none'), []);
    assert.equal(parseReminders('tomorrow'), null);
    assert.equal(parseReminders('1d@25:00'), null);
  });
});
