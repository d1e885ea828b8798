// API tokens: staff and admin bearer tokens, stored only as SHA-256 hashes.
import type { Db } from '../store/schema.ts';
import type { IdSource } from '../ids.ts';
import { sha256 } from '../ids.ts';

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

export async function issueToken(
  db: Db,
  ids: IdSource,
  now: number,
  input: { name: string; role: Role; createdBy: string; value?: string },
): Promise<IssuedToken> {
  const token = input.value ?? `${PREFIX}${ids.secret()}`;
  const id = ids.shortId();
  await db
    .insertInto('api_tokens')
    .values({
      id,
      name: input.name,
      role: input.role,
      token_hash: sha256(token),
      created_by: input.createdBy,
      created_at: new Date(now).toISOString(),
      revoked_at: null,
    })
    .execute();
  return { id, name: input.name, role: input.role, token };
}

export async function authenticate(db: Db, token: string): Promise<Principal | null> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role'])
    .where('token_hash', '=', sha256(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { tokenId: row.id, name: row.name, role: row.role as Role } : null;
}

export async function listTokens(db: Db): Promise<Array<{ id: string; name: string; role: Role; createdAt: string; revokedAt: string | null }>> {
  const rows = await db.selectFrom('api_tokens').select(['id', 'name', 'role', 'created_at', 'revoked_at']).orderBy('created_at').execute();
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
      name: 'bootstrap admin',
      role: 'admin',
      token_hash: sha256(token),
      created_by: 'bootstrap',
      created_at: new Date(now).toISOString(),
      revoked_at: null,
    })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  return { id, name: 'bootstrap admin', role: 'admin', token, supplied: configured !== null };
}
