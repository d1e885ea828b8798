import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toCityIso } from './time.ts';

describe('city time', () => {
  it('toCityIso writes every instant as the ISO time in UTC+9, as the Date-based way does', () => {
    const reference = (ms: number) => `${new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;
    // Instants in order (one day after another, as a year of slots asks) and at random, across years and centuries.
    for (let ms = Date.parse('2026-12-31T14:00:00Z'); ms < Date.parse('2027-01-02T00:00:00Z'); ms += 61_000) assert.equal(toCityIso(ms), reference(ms));
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }), (ms) => toCityIso(ms) === reference(ms)),
      { numRuns: 20_000 },
    );
    assert.equal(toCityIso(Date.parse('2026-12-01T01:00:00Z')), '2026-12-01T10:00:00+09:00');
  });
});
