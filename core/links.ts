// Signed, expiring links for one consultation (the citizen's personal link to the in-meeting app). The signing key is
// made on first use and kept in the store, so that every instance and the job worker sign and check alike.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './store/schema.ts';
import { isUniqueViolation } from './store/db.ts';

/** How long a citizen's link works: until a day after the consultation ends. */
export const linkExpiry = (consultationEnd: number) => consultationEnd + 24 * 60 * 60 * 1000;

/** The citizen's personal page for a consultation. */
export const citizenLink = (publicBaseUrl: string, key: Buffer, consultationId: string, consultationEnd: number) =>
  `${publicBaseUrl}/app/c/${signLink(key, consultationId, linkExpiry(consultationEnd))}`;

/** 'link': the personal link from the invitation. 'meeting': handed out inside Webex / Teams for the meeting's time only. */
export type LinkKind = 'link' | 'meeting';
export type LinkCheck = { ok: true; consultationId: string; kind: LinkKind; expiresAt: number } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** `<consultation id>.<expiry, epoch seconds>.<HMAC-SHA256>` — readable id, unforgeable, expiring. */
export function signLink(key: Buffer, consultationId: string, expiresAt: number, kind: LinkKind = 'link'): string {
  const body = `${consultationId}.${Math.floor(expiresAt / 1000)}`;
  return `${body}.${b64(createHmac('sha256', key).update(`${kind}:${body}`).digest())}`;
}

export function checkLink(key: Buffer, token: string, now: number): LinkCheck {
  const m = /^([0-9A-Z]{4,16})\.(\d{9,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, id, exp, mac] = m;
  const given = Buffer.from(mac!, 'base64url');
  const kind = (['link', 'meeting'] as const).find((k) => {
    const expected = createHmac('sha256', key).update(`${k}:${id}.${exp}`).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!kind) return { ok: false, reason: 'forged' };
  if (Number(exp) * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, consultationId: id!, kind, expiresAt: Number(exp) * 1000 };
}

/** The link-signing key, made once per installation. */
export async function linkKey(db: Db): Promise<Buffer> {
  const row = await db.selectFrom('app_keys').select('value').where('name', '=', 'link').executeTakeFirst();
  if (row) return Buffer.from(row.value, 'base64url');
  try {
    await db.insertInto('app_keys').values({ name: 'link', value: b64(randomBytes(32)) }).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return linkKey(db);
}

/** How long a staff view link works: a working day. */
export const STAFF_LINK_MS = 12 * 60 * 60 * 1000;

export type StaffLinkCheck = { ok: true; consultationId: string; staffId: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/**
 * `s.<consultation id>.<staff id, base64url>.<expiry>.<HMAC>` — the staff view for one consultation, for one staff
 * member (known to the bot through their chat identity); signed apart from citizen links so one cannot pass for the other.
 */
export function signStaffLink(key: Buffer, consultationId: string, staffId: string, expiresAt: number): string {
  const body = `${consultationId}.${b64(staffId)}.${Math.floor(expiresAt / 1000)}`;
  return `s.${body}.${b64(createHmac('sha256', key).update(`staff:${body}`).digest())}`;
}

export function checkStaffLink(key: Buffer, token: string, now: number): StaffLinkCheck {
  const m = /^s\.([0-9A-Z]{4,16})\.([A-Za-z0-9_-]{1,200})\.(\d{9,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, id, staff, exp, mac] = m;
  const expected = createHmac('sha256', key).update(`staff:${id}.${staff}.${exp}`).digest();
  const given = Buffer.from(mac!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  if (Number(exp) * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, consultationId: id!, staffId: Buffer.from(staff!, 'base64url').toString('utf8'), expiresAt: Number(exp) * 1000 };
}

/** The staff view of a consultation, for a staff member. */
export const staffLink = (publicBaseUrl: string, key: Buffer, consultationId: string, staffId: string, now: number) =>
  `${publicBaseUrl}/app/s/${signStaffLink(key, consultationId, staffId, now + STAFF_LINK_MS)}`;
