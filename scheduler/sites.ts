// Sites: the main office (本庁) and each branch office (支所). A site has its counter devices (hosts) and the staff who
// work there; a walk-in call starts on a device of the caller's site. The first migration made the main office ('main').
import type { Db } from '../core/store/schema.ts';
import { referenceData } from '../core/store/reference.ts';
import type { IdSource } from '../core/ids.ts';
import type { Result } from '../core/errors.ts';
import { fail, fieldProblem, ok, problem } from '../core/errors.ts';
import { isUniqueViolation } from '../core/store/db.ts';
import { normalizeName } from './departments.ts';

export type SiteKind = 'main' | 'branch';

export interface Site {
  readonly id: string;
  readonly name: string;
  readonly kind: SiteKind;
  readonly phone: string;
}

export const SITE_KIND_JA: Record<SiteKind, string> = { main: '本庁', branch: '支所' };

type Row = { id: string; name: string; kind: string; phone: string };
const fromRow = (r: Row): Site => ({ id: r.id, name: r.name, kind: r.kind === 'main' ? 'main' : 'branch', phone: r.phone });

export function listSites(db: Db): Promise<Site[]> {
  return referenceData(db, 'sites', readSites);
}

async function readSites(db: Db): Promise<Site[]> {
  const rows = await db
    .selectFrom('sites')
    .select(['id', 'name', 'kind', 'phone'])
    .where('retired_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  // The main office first, then the branches in the order they were added.
  return rows.map(fromRow).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'main' ? -1 : 1));
}

export async function getSite(db: Db, id: string | null): Promise<Site | null> {
  if (!id) return null;
  const r = await db.selectFrom('sites').select(['id', 'name', 'kind', 'phone']).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

/** The main office (a host or staff member with no site belongs to it). */
export async function mainSite(db: Db): Promise<Site> {
  const sites = await listSites(db);
  return sites.find((s) => s.kind === 'main') ?? sites[0] ?? { id: 'main', name: '本庁', kind: 'main', phone: '' };
}

/** A site by what a person typed: its name (with or without 支所/本庁), or its id. */
export async function findSite(db: Db, typed: string): Promise<Result<Site>> {
  const sites = await listSites(db);
  const t = normalizeName(typed).replace(/^[#＃]/, '');
  const bare = (s: string) => normalizeName(s).replace(/(支所|本庁|出張所|庁舎)$/, '');
  const found = sites.find((s) => s.id === t || normalizeName(s.name) === t) ?? sites.find((s) => bare(s.name) === bare(t) && bare(t) !== '') ?? null;
  if (found) return ok(found);
  const names = sites.map((s) => s.name).join('、');
  return fail(
    fieldProblem(
      'site',
      `「${typed}」という拠点は見つかりません。拠点: ${names || 'なし'}`,
      `No site "${typed}". Sites: ${sites.map((s) => s.name).join(', ')}`,
    ),
  );
}

export interface SiteInput {
  readonly name: string;
  readonly kind?: SiteKind | undefined;
  readonly phone?: string | undefined;
}

const nameTaken = (name: string) =>
  fieldProblem('name', `「${name}」という拠点はすでにあります。別の名前にしてください。`, `A site named "${name}" already exists.`);

export async function addSite(db: Db, ids: IdSource, now: number, input: SiteInput): Promise<Result<Site>> {
  const site: Site = { id: ids.shortId(), name: input.name.trim(), kind: input.kind ?? 'branch', phone: (input.phone ?? '').trim() };
  if (site.kind === 'main' && (await listSites(db)).some((s) => s.kind === 'main')) {
    return fail(fieldProblem('kind', '本庁はすでに登録されています。支所として追加してください。', 'The main office already exists; add a branch.'));
  }
  try {
    await db
      .insertInto('sites')
      .values({ ...site, created_at: new Date(now).toISOString(), retired_at: null })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) return fail(nameTaken(site.name));
    throw error;
  }
  return ok(site);
}

export async function updateSite(db: Db, id: string, input: { name?: string | undefined; phone?: string | undefined }): Promise<Result<Site>> {
  const current = await getSite(db, id);
  if (!current) return fail(siteNotFound(id));
  const next = { name: input.name?.trim() ?? current.name, phone: input.phone?.trim() ?? current.phone };
  try {
    await db.updateTable('sites').set(next).where('id', '=', id).execute();
  } catch (error) {
    if (isUniqueViolation(error)) return fail(nameTaken(next.name));
    throw error;
  }
  return ok({ ...current, ...next });
}

/** A branch closes (its devices and staff move to the main office); the main office cannot be retired. */
export async function retireSite(db: Db, id: string, now: number): Promise<Result<Site>> {
  const current = await getSite(db, id);
  if (!current) return fail(siteNotFound(id));
  if (current.kind === 'main') return fail(problem('invalid_state', '本庁は廃止できません。', 'The main office cannot be retired.'));
  const main = await mainSite(db);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('hosts').set({ site_id: main.id }).where('site_id', '=', id).execute();
    await trx.updateTable('staff').set({ site_id: null }).where('site_id', '=', id).execute();
    await trx
      .updateTable('sites')
      .set({ retired_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .execute();
  });
  return ok(current);
}

export const siteNotFound = (id: string) => problem('not_found', `拠点 ${id} は見つかりません。`, `Site ${id} was not found.`);

/** Puts a host (counter device) at a site. */
export async function setHostSite(db: Db, hostId: string, siteId: string): Promise<Result<null>> {
  if (!(await getSite(db, siteId))) return fail(fieldProblem('siteId', `拠点 ${siteId} は登録されていません。`, `Unknown site ${siteId}.`));
  const r = await db.updateTable('hosts').set({ site_id: siteId }).where('id', '=', hostId).where('retired_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return fail(problem('not_found', `ホスト ${hostId} は見つかりません。`, `Host ${hostId} was not found.`));
  return ok(null);
}

/** A device token's scope exists: a live host for a counter terminal, a department for a board. */
export async function checkDeviceScope(db: Db, role: 'counter' | 'board', scope: string): Promise<Result<null>> {
  if (role === 'counter') {
    const host = await db.selectFrom('hosts').select('id').where('id', '=', scope).where('retired_at', 'is', null).executeTakeFirst();
    return host ? ok(null) : fail(fieldProblem('scope', `端末（ホスト）${scope} は登録されていません。`, `No live host ${scope}.`));
  }
  const department = await db.selectFrom('departments').select('id').where('id', '=', scope).executeTakeFirst();
  return department ? ok(null) : fail(fieldProblem('scope', `課 ${scope} は登録されていません。`, `No department ${scope}.`));
}
