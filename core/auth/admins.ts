// Admin accounts (email + password) and admin sign-in sessions for the web page.
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/schema.ts';
import type { IdSource } from '../ids.ts';
import { sha256 } from '../ids.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { authenticate } from './tokens.ts';

export interface AdminSession {
  readonly principal: string;
  readonly name: string;
  readonly email: string;
  readonly csrf: string;
}

export const SESSION_HOURS = 8;

export async function createAdminUser(db: Db, ids: IdSource, now: number, input: { email: string; name: string; password: string }): Promise<{ id: string }> {
  const id = ids.shortId();
  await db
    .insertInto('admin_users')
    .values({
      id,
      email: input.email.toLowerCase(),
      name: input.name,
      password_hash: await hashPassword(input.password),
      created_at: new Date(now).toISOString(),
      disabled_at: null,
    })
    .execute();
  return { id };
}

/** Who signs in: an admin account by email and password, or the holder of an admin API token. */
export async function checkAdminSignIn(
  db: Db,
  input: { email?: string; password?: string; token?: string },
): Promise<{ principal: string; name: string; email: string } | null> {
  if (input.token) {
    const p = await authenticate(db, input.token);
    return p && p.role === 'admin' ? { principal: `token:${p.tokenId}`, name: p.name, email: '' } : null;
  }
  if (!input.email || !input.password) return null;
  const user = await db
    .selectFrom('admin_users')
    .selectAll()
    .where('email', '=', input.email.toLowerCase())
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // Verify against a dummy hash when there is no such user, so that timing does not tell which emails exist.
  const ok = await verifyPassword(input.password, user?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  return user && ok ? { principal: `user:${user.id}`, name: user.name, email: user.email } : null;
}

/** Starts a session; returns the cookie value (only its hash is stored). */
export async function startSession(db: Db, now: number, who: { principal: string; name: string; email: string }, hours = SESSION_HOURS): Promise<string> {
  const value = randomBytes(32).toString('base64url');
  await db
    .insertInto('admin_sessions')
    .values({
      id_hash: sha256(value),
      principal: who.principal,
      name: who.name,
      email: who.email,
      csrf: randomBytes(24).toString('base64url'),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + hours * 3_600_000).toISOString(),
    })
    .execute();
  return value;
}

export async function findSession(db: Db, value: string, now: number): Promise<AdminSession | null> {
  const row = await db
    .selectFrom('admin_sessions')
    .selectAll()
    .where('id_hash', '=', sha256(value))
    .where('expires_at', '>', new Date(now).toISOString())
    .executeTakeFirst();
  if (!row) return null;
  // A revoked token or a disabled account ends its sessions.
  if (row.principal.startsWith('device:')) {
    const live = await db.selectFrom('api_tokens').select('id').where('id', '=', row.principal.slice(7)).where('revoked_at', 'is', null).executeTakeFirst();
    if (!live) return null;
  } else if (row.principal.startsWith('staff-board:')) {
    const live = await db.selectFrom('staff').select('id').where('id', '=', row.principal.split(':')[1]!).executeTakeFirst();
    if (!live) return null;
  } else if (row.principal.startsWith('token:')) {
    const live = await db.selectFrom('api_tokens').select('id').where('id', '=', row.principal.slice(6)).where('revoked_at', 'is', null).executeTakeFirst();
    if (!live) return null;
  } else {
    const live = await db.selectFrom('admin_users').select('id').where('id', '=', row.principal.slice(5)).where('disabled_at', 'is', null).executeTakeFirst();
    if (!live) return null;
  }
  return { principal: row.principal, name: row.name, email: row.email, csrf: row.csrf };
}

export async function endSession(db: Db, value: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('id_hash', '=', sha256(value)).execute();
}
