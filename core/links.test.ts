import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkLink, signLink } from './links.ts';

describe('personal links', () => {
  const key = randomBytes(32);
  const now = Date.parse('2026-11-24T00:00:00Z');
  it('a link opens its own consultation until it expires', () => {
    const t = signLink(key, 'K7M2Q9XA', now + 3_600_000);
    assert.deepEqual(checkLink(key, t, now), { ok: true, consultationId: 'K7M2Q9XA' });
    assert.deepEqual(checkLink(key, t, now + 3_601_000), { ok: false, reason: 'expired' });
  });
  it('a link changed to another consultation, a later expiry or another key is refused', () => {
    const t = signLink(key, 'K7M2Q9XA', now + 3_600_000);
    assert.equal(checkLink(key, t.replace('K7M2Q9XA', 'K7M2Q9XB'), now).ok, false);
    const [id, , mac] = t.split('.');
    assert.equal(checkLink(key, `${id}.${Math.floor(now / 1000) + 999_999}.${mac}`, now).ok, false);
    assert.equal(checkLink(randomBytes(32), t, now).ok, false);
    assert.deepEqual(checkLink(key, 'nonsense', now), { ok: false, reason: 'malformed' });
  });
});
