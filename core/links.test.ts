import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkLink, checkStaffLink, signLink, signStaffLink } from './links.ts';

describe('personal links', () => {
  const key = randomBytes(32);
  const now = Date.parse('2026-11-24T00:00:00Z');
  it('a link opens its own consultation until it expires', () => {
    const t = signLink(key, 'K7M2Q9XA', now + 3_600_000);
    assert.deepEqual(checkLink(key, t, now), { ok: true, consultationId: 'K7M2Q9XA', kind: 'link', expiresAt: now + 3_600_000 });
    assert.deepEqual(checkLink(key, t, now + 3_601_000), { ok: false, reason: 'expired', consultationId: 'K7M2Q9XA', kind: 'link' });
  });
  it('a link changed to another consultation, a later expiry or another key is refused', () => {
    const t = signLink(key, 'K7M2Q9XA', now + 3_600_000);
    assert.equal(checkLink(key, t.replace('K7M2Q9XA', 'K7M2Q9XB'), now).ok, false);
    const [id, , mac] = t.split('.');
    assert.equal(checkLink(key, `${id}.${Math.floor(now / 1000) + 999_999}.${mac}`, now).ok, false);
    assert.equal(checkLink(randomBytes(32), t, now).ok, false);
    assert.deepEqual(checkLink(key, 'nonsense', now), { ok: false, reason: 'malformed' });
  });

  it('tells a personal link from a meeting entry, and neither passes for a staff link (nor the other way round)', () => {
    const meeting = signLink(key, 'K7M2Q9XA', now + 3_600_000, 'meeting');
    const opened = checkLink(key, meeting, now);
    assert.ok(opened.ok);
    assert.equal(opened.kind, 'meeting');
    const staff = signStaffLink(key, 'K7M2Q9XA', 'STAFF01', now + 3_600_000);
    assert.deepEqual(checkStaffLink(key, staff, now), { ok: true, consultationId: 'K7M2Q9XA', staffId: 'STAFF01', expiresAt: now + 3_600_000 });
    assert.equal(checkLink(key, staff, now).ok, false);
    assert.equal(checkStaffLink(key, meeting, now).ok, false);
    assert.equal(checkStaffLink(key, staff.replace('K7M2Q9XA', 'K7M2Q9XB'), now).ok, false);
  });
});

describe('request paths in the log', () => {
  it('never carry a link token', async () => {
    const { logPath } = await import('./log.ts');
    assert.equal(logPath('/app/c/K7M2Q9XA.1795482000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/consent?lang=en'), '/app/c/:token/consent');
    assert.equal(logPath('/app/s/s.K7M2Q9XA.U1RBRkY.1795482000.abc/events'), '/app/s/:token/events');
    assert.equal(logPath('/api/v1/consultations?from=2026-12-01'), '/api/v1/consultations');
  });
});
