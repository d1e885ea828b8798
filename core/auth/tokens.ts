// API tokens: staff and admin bearer tokens, stored only as SHA-256 hashes.
import type { Db } from '../store/schema.ts';
import type { IdSource } from '../ids.ts';
import { sha256 } from '../ids.ts';
import { writeAudit } from '../audit.ts';
import type { Result } from '../errors.ts';
import { fail, ok, problem } from '../errors.ts';

export type Role = 'admin' | 'staff';
export const ROLES: ReadonlyArray<Role> = ['admin', 'staff'];

export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
}

export interface IssuedToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Shown once; only its hash is kept. */
  readonly token: string;
  /** The operator gave this value (BOOTSTRAP_ADMIN_TOKEN): never printed back. */
  readonly supplied?: boolean;
}

const PREFIX = 'mdg_';
/** The first admin token, made at the first start. */
export const BOOTSTRAP_NAME = '初期管理者';

/** Stores a token's hash (never the token) and returns its id. */
async function storeToken(
  db: Db,
  ids: IdSource,
  now: number,
  t: { name: string; role: string; token: string; createdBy: string; scope?: string },
): Promise<string> {
  const id = ids.shortId();
  await db
    .insertInto('api_tokens')
    .values({
      id,
      name: t.name,
      role: t.role,
      token_hash: sha256(t.token),
      created_by: t.createdBy,
      created_at: new Date(now).toISOString(),
      revoked_at: null,
      ...(t.scope !== undefined ? { scope: t.scope } : {}),
    })
    .execute();
  return id;
}

export async function issueToken(
  db: Db,
  ids: IdSource,
  now: number,
  input: { name: string; role: Role; createdBy: string; value?: string },
): Promise<IssuedToken> {
  const token = input.value ?? `${PREFIX}${ids.secret()}`;
  const id = await storeToken(db, ids, now, { name: input.name, role: input.role, token, createdBy: input.createdBy });
  return { id, name: input.name, role: input.role, token };
}

export async function authenticate(db: Db, token: string): Promise<Principal | null> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role'])
    .where('token_hash', '=', sha256(token))
    .where('revoked_at', 'is', null)
    .where('role', 'in', [...ROLES])
    .executeTakeFirst();
  return row ? { tokenId: row.id, name: row.name, role: row.role as Role } : null;
}

/** A device's token: a branch's counter terminal (scoped to its host) or a department's alert board (to its department). */
export type DeviceRole = 'counter' | 'board';
export const DEVICE_ROLES: ReadonlyArray<DeviceRole> = ['counter', 'board'];

export interface Device {
  readonly tokenId: string;
  readonly name: string;
  readonly role: DeviceRole;
  /** The host (counter) or department (board) id. */
  readonly scope: string;
}

/** Issues a device token (shown once; only its hash is kept). A device token is never an API token. */
export async function issueDeviceToken(
  db: Db,
  ids: IdSource,
  now: number,
  input: { name: string; role: DeviceRole; scope: string; createdBy: string },
): Promise<Device & { readonly token: string }> {
  const token = `${PREFIX}dev_${ids.secret()}`;
  const id = await storeToken(db, ids, now, { ...input, token });
  return { tokenId: id, name: input.name, role: input.role, scope: input.scope, token };
}

/** The live device token with this value, or with this id (a device's session names its token). */
export async function findDevice(db: Db, by: { token: string } | { tokenId: string }): Promise<Device | null> {
  const q = db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role', 'scope'])
    .where('revoked_at', 'is', null)
    .where('role', 'in', [...DEVICE_ROLES]);
  const row = await ('token' in by ? q.where('token_hash', '=', sha256(by.token)) : q.where('id', '=', by.tokenId)).executeTakeFirst();
  return row ? { tokenId: row.id, name: row.name, role: row.role as DeviceRole, scope: row.scope } : null;
}

export async function listDevices(db: Db): Promise<Array<Device & { readonly createdAt: string }>> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role', 'scope', 'created_at'])
    .where('revoked_at', 'is', null)
    .where('role', 'in', [...DEVICE_ROLES])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ tokenId: r.id, name: r.name, role: r.role as DeviceRole, scope: r.scope, createdAt: r.created_at }));
}

export async function listTokens(db: Db): Promise<Array<{ id: string; name: string; role: Role; createdAt: string; revokedAt: string | null }>> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role', 'created_at', 'revoked_at'])
    .where('role', 'in', [...ROLES])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as Role, createdAt: r.created_at, revokedAt: r.revoked_at }));
}

export async function revokeToken(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date(now).toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Makes sure an admin can sign in on a first start: with BOOTSTRAP_ADMIN_TOKEN that exact value becomes the admin token;
 * otherwise a new one is made and returned so that it can be printed once. Returns null when an admin already exists.
 * Run under the start-up lock; the insert also tolerates the same supplied value stored a moment before by another instance.
 */
export async function bootstrapAdmin(db: Db, ids: IdSource, now: number, configured: string | null): Promise<IssuedToken | null> {
  const admin = await db.selectFrom('api_tokens').select('id').where('role', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirst();
  if (admin) return null;
  const token = configured ?? `${PREFIX}${ids.secret()}`;
  const id = ids.shortId();
  const r = await db
    .insertInto('api_tokens')
    .values({
      id,
      name: BOOTSTRAP_NAME,
      role: 'admin',
      token_hash: sha256(token),
      created_by: 'bootstrap',
      created_at: new Date(now).toISOString(),
      revoked_at: null,
    })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  return { id, name: BOOTSTRAP_NAME, role: 'admin', token, supplied: configured !== null };
}

/** Whether revoking this token would leave no way into the admin page (no other admin token, no admin account). */
async function isLastAdminWay(db: Db, tokenId: string): Promise<boolean> {
  const [admins, live] = await Promise.all([
    db.selectFrom('admin_users').select('id').limit(1).execute(),
    db.selectFrom('api_tokens').select(['id', 'role']).where('revoked_at', 'is', null).where('role', '=', 'admin').execute(),
  ]);
  return admins.length === 0 && live.length === 1 && live[0]!.id === tokenId;
}

/** A staff or admin token made by a person (the API or the admin page), audited; the value is in the answer only. */
export async function createToken(db: Db, ids: IdSource, now: number, input: { name: string; role: Role }, actor: string): Promise<IssuedToken> {
  const issued = await issueToken(db, ids, now, { ...input, createdBy: actor });
  await writeAudit(db, ids, now, { actor, action: 'token.created', entity: 'token', entityId: issued.id, before: null, after: input });
  return issued;
}

/** Revokes a token, audited; never the last way into the admin page (everyone would be locked out). */
export async function revokeTokenChecked(db: Db, ids: IdSource, now: number, id: string, actor: string): Promise<Result<null>> {
  if (await isLastAdminWay(db, id))
    return fail(
      problem(
        'invalid_state',
        'これは最後の管理者トークンです。取り消すと、だれも管理画面に入れなくなります。先に別の管理者トークンか管理者アカウント（npm run admin -- create）を作ってください。',
        'This is the last admin token: revoking it would lock everyone out. Make another admin token or an admin account (npm run admin -- create) first.',
      ),
    );
  if (!(await revokeToken(db, id, now)))
    return fail(problem('not_found', `トークン ${id} は見つからないか、すでに無効です。`, `Token ${id} was not found or is already revoked.`));
  await writeAudit(db, ids, now, { actor, action: 'token.revoked', entity: 'token', entityId: id, before: null, after: null });
  return ok(null);
}
