// Signed, expiring links for one consultation (the citizen's personal link to the in-meeting app). The signing key is
// made on first use and kept in the store (sealed under SECRET_KEY when one is set), so that every instance and the job
// worker sign and check alike.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './store/schema.ts';
import { seal, unseal } from './secrets.ts';

/**
 * How long a citizen's personal link works: until three days after the consultation ends, at its current time (a link
 * sent before a reschedule follows the new time; the expiry signed into it is not what decides). The days after are
 * for the survey, asked by mail after the consultation.
 */
export const LINK_DAYS_AFTER = 3;
export const linkExpiry = (consultationEnd: number) => consultationEnd + LINK_DAYS_AFTER * 24 * 60 * 60 * 1000;

/** The citizen's personal page for a consultation. */
export const citizenLink = (publicBaseUrl: string, key: Buffer, consultationId: string, consultationEnd: number) =>
  `${publicBaseUrl}/app/c/${signLink(key, consultationId, linkExpiry(consultationEnd))}`;

/** 'link': the personal link from the invitation. 'meeting': handed out inside Webex / Teams for the meeting's time only. */
export type LinkKind = 'link' | 'meeting';
/** An authentic link past its signed expiry still names its consultation: a personal link follows the current time. */
export type LinkCheck =
  | { ok: true; consultationId: string; kind: LinkKind; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'forged' }
  | { ok: false; reason: 'expired'; consultationId: string; kind: LinkKind };

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
  if (Number(exp) * 1000 < now) return { ok: false, reason: 'expired', consultationId: id!, kind };
  return { ok: true, consultationId: id!, kind, expiresAt: Number(exp) * 1000 };
}

const SEALED = 'sealed:';

/** The stored link key is sealed under SECRET_KEY, but no SECRET_KEY is set (or another one). */
export class LinkKeyError extends Error {}

function openKey(value: string, secretKey: Buffer | null): Buffer {
  if (!value.startsWith(SEALED)) return Buffer.from(value, 'base64url');
  if (!secretKey) {
    throw new LinkKeyError(
      '市民用リンクの署名鍵は SECRET_KEY で暗号化されています。保存したときと同じ SECRET_KEY を設定してください。 / The link-signing key is sealed with SECRET_KEY: set the SECRET_KEY it was sealed with.',
    );
  }
  try {
    return Buffer.from(unseal(secretKey, value.slice(SEALED.length)), 'base64url');
  } catch {
    throw new LinkKeyError(
      '市民用リンクの署名鍵を開けません。SECRET_KEY が保存時と異なります。 / The link-signing key cannot be opened: SECRET_KEY differs from the one it was sealed with.',
    );
  }
}

const stored = (key: Buffer, secretKey: Buffer | null) => (secretKey ? `${SEALED}${seal(secretKey, b64(key))}` : b64(key));

/** The link-signing key, made once per installation; sealed under SECRET_KEY when one is set. */
export async function linkKey(db: Db, secretKey: Buffer | null): Promise<Buffer> {
  const row = await db.selectFrom('app_keys').select('value').where('name', '=', 'link').executeTakeFirst();
  if (row) return openKey(row.value, secretKey);
  await db
    .insertInto('app_keys')
    .values({ name: 'link', value: stored(randomBytes(32), secretKey) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return linkKey(db, secretKey);
}

/**
 * At start-up: makes the key if there is none, seals one kept in the clear from before SECRET_KEY was set (the key
 * itself stays, so links already sent keep working), and stops the start with a clear message when it cannot be opened.
 */
export async function prepareLinkKey(db: Db, secretKey: Buffer | null): Promise<void> {
  const key = await linkKey(db, secretKey);
  const row = await db.selectFrom('app_keys').select('value').where('name', '=', 'link').executeTakeFirstOrThrow();
  if (secretKey && !row.value.startsWith(SEALED)) {
    await db
      .updateTable('app_keys')
      .set({ value: stored(key, secretKey) })
      .where('name', '=', 'link')
      .where('value', '=', row.value)
      .execute();
  }
}

/** How long a staff view link works: a working day. */
export const STAFF_LINK_MS = 12 * 60 * 60 * 1000;

export type StaffLinkCheck =
  | { ok: true; consultationId: string; staffId: string; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

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

/**
 * `b.<department id>.<staff id, base64url>.<expiry>.<HMAC>` — a staff member opens their department's alert board
 * from the bot (`/board`), without a device token; signed apart from the other links.
 */
export function signBoardLink(key: Buffer, departmentId: string, staffId: string, expiresAt: number): string {
  const body = `${departmentId}.${b64(staffId)}.${Math.floor(expiresAt / 1000)}`;
  return `b.${body}.${b64(createHmac('sha256', key).update(`board:${body}`).digest())}`;
}

export type BoardLinkCheck = { ok: true; departmentId: string; staffId: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

export function checkBoardLink(key: Buffer, token: string, now: number): BoardLinkCheck {
  const m = /^b\.([0-9A-Za-z_-]{1,64})\.([A-Za-z0-9_-]{1,200})\.(\d{9,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, department, staff, exp, mac] = m;
  // Compared as written (canonical base64url): a last character differing only in its unused bits is no other link.
  const expected = Buffer.from(b64(createHmac('sha256', key).update(`board:${department}.${staff}.${exp}`).digest()));
  const given = Buffer.from(mac!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  if (Number(exp) * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, departmentId: department!, staffId: Buffer.from(staff!, 'base64url').toString('utf8'), expiresAt: Number(exp) * 1000 };
}

/** A department's alert board, for a staff member (a working day). */
export const boardLink = (publicBaseUrl: string, key: Buffer, departmentId: string, staffId: string, now: number) =>
  `${publicBaseUrl}/board/s/${signBoardLink(key, departmentId, staffId, now + STAFF_LINK_MS)}`;

/** The staff view of a consultation, for a staff member. */
export const staffLink = (publicBaseUrl: string, key: Buffer, consultationId: string, staffId: string, now: number) =>
  `${publicBaseUrl}/app/s/${signStaffLink(key, consultationId, staffId, now + STAFF_LINK_MS)}`;
