// Departments (課): names and aliases, how a typed name is matched to one, and their storage.
import type { Db } from '../core/store/schema.ts';
import { referenceData } from '../core/store/reference.ts';
import { randomBytes } from 'node:crypto';
import type { IdSource } from '../core/ids.ts';
import { sha256 } from '../core/ids.ts';
import { writeAudit } from '../core/audit.ts';
import { editDistance } from '../core/text.ts';

export interface Department {
  readonly id: string;
  readonly name: string;
  readonly aliases: ReadonlyArray<string>;
  readonly contact: string;
  /** The Webex space where this department's relay alerts go ('' = none). */
  readonly webexRoomId?: string;
  /** The Teams channel (conversation id) where this department's relay alerts go ('' = none). */
  readonly teamsChannel?: string;
  /** The department's own signal tower URL ('' = the server-wide LAMP_WEBHOOK_URL). */
  readonly lampUrl?: string;
}

/** The departments a new installation starts with (Hamada City's relay targets and Sanuki City's 健康福祉部). */
export const DEFAULT_DEPARTMENTS: ReadonlyArray<Omit<Department, 'id'>> = [
  { name: '総合窓口課', aliases: ['総合窓口', '窓口', 'general'], contact: '' },
  { name: '保険年金課', aliases: ['保険年金', '年金', '保険', '国保', 'pension'], contact: '' },
  { name: '税務課', aliases: ['税務', '税', 'tax'], contact: '' },
  { name: '資産税課', aliases: ['資産税', '固定資産税', 'property-tax'], contact: '' },
  { name: '福祉課', aliases: ['福祉', 'welfare'], contact: '' },
  { name: '子ども家庭課', aliases: ['子ども', 'こども', '子育て', 'child'], contact: '' },
  { name: '健康増進課', aliases: ['健康', '保健', 'health'], contact: '' },
  { name: '長寿介護課', aliases: ['介護', '高齢者', 'care'], contact: '' },
];

/**
 * Whom a citizen calls about this consultation: the department's own contact (phone and hours), or else the city's.
 * '' when neither is set: real mail is then refused (see contactProblem), since "please contact us" without a number
 * leaves an elderly citizen with nowhere to turn.
 */
export function contactFor(department: Pick<Department, 'contact'> | undefined, city: { readonly contact: string }): string {
  return department?.contact.trim() || city.contact.trim();
}

/** The departments no citizen of theirs could be told whom to call (no contact of their own, and no CITY_CONTACT). */
export function departmentsWithoutContact(departments: ReadonlyArray<Department>, city: { readonly contact: string }): Department[] {
  return departments.filter((d) => !contactFor(d, city));
}

/** Full-width letters and spaces from a Japanese IME, case and surrounding space do not matter. */
export function normalizeName(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '');
}

export type DepartmentMatch = { ok: true; value: Department } | { ok: false; reason: { suggestions: Department[] } };

/** Finds a department by name or alias; otherwise the closest few, best first. */
export function matchDepartment(departments: ReadonlyArray<Department>, typed: string): DepartmentMatch {
  const q = normalizeName(typed);
  const names = (d: Department) => [d.name, ...d.aliases].map(normalizeName);
  const exact = departments.find((d) => names(d).includes(q) || d.id === typed);
  if (exact) return { ok: true, value: exact };
  const scored = departments
    .map((d) => {
      const score = Math.min(...names(d).map((n) => (q && (n.includes(q) || q.includes(n)) ? 0 : editDistance(n, q) / Math.max(n.length, q.length, 1))));
      return { d, score };
    })
    .sort((a, b) => a.score - b.score);
  return {
    ok: false,
    reason: {
      suggestions: scored
        .filter((s) => s.score < 0.75)
        .slice(0, 3)
        .map((s) => s.d),
    },
  };
}

function fromRow(row: {
  id: string;
  name: string;
  aliases: string;
  contact: string;
  webex_room_id: string;
  teams_channel: string;
  lamp_url: string;
}): Department {
  return {
    id: row.id,
    name: row.name,
    aliases: JSON.parse(row.aliases) as string[],
    contact: row.contact,
    webexRoomId: row.webex_room_id,
    teamsChannel: row.teams_channel,
    lampUrl: row.lamp_url,
  };
}

export function listDepartments(db: Db): Promise<Department[]> {
  return referenceData(db, 'departments', readDepartments);
}

async function readDepartments(db: Db): Promise<Department[]> {
  const rows = await db.selectFrom('departments').selectAll().orderBy('name').execute();
  return rows.map(fromRow);
}

/** Creates the default departments when there are none yet. */
export async function seedDepartments(db: Db, ids: IdSource, now: number): Promise<void> {
  const existing = await db.selectFrom('departments').select('id').limit(1).execute();
  if (existing.length > 0) return;
  await db
    .insertInto('departments')
    .values(
      DEFAULT_DEPARTMENTS.map((d) => ({
        id: ids.shortId(),
        name: d.name,
        aliases: JSON.stringify(d.aliases),
        contact: d.contact,
        created_at: new Date(now).toISOString(),
      })),
    )
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export interface DepartmentInput {
  readonly name: string;
  readonly aliases: ReadonlyArray<string>;
  readonly contact: string;
  readonly webexRoomId?: string;
  readonly teamsChannel?: string;
  readonly lampUrl?: string;
}

/** Adds or updates a department; a name (or alias) another department already answers to is refused. */
export async function saveDepartment(
  db: Db,
  ids: IdSource,
  now: number,
  id: string | null,
  input: DepartmentInput,
): Promise<{ ok: true; value: Department } | { ok: false; reason: { field: 'name' | 'aliases'; ja: string; en: string } }> {
  const others = (await listDepartments(db)).filter((d) => d.id !== id);
  const taken = (n: string) => others.find((d) => [d.name, ...d.aliases].map(normalizeName).includes(normalizeName(n)));
  const nameClash = taken(input.name);
  if (nameClash)
    return {
      ok: false,
      reason: {
        field: 'name',
        ja: `「${input.name}」は ${nameClash.name} がすでに使っています。`,
        en: `"${input.name}" is already used by ${nameClash.name}.`,
      },
    };
  for (const alias of input.aliases) {
    const clash = taken(alias);
    if (clash)
      return {
        ok: false,
        reason: {
          field: 'aliases',
          ja: `別名「${alias}」は ${clash.name} がすでに使っています。`,
          en: `The alias "${alias}" is already used by ${clash.name}.`,
        },
      };
  }
  const values = {
    name: input.name,
    aliases: JSON.stringify(input.aliases),
    contact: input.contact,
    ...(input.webexRoomId !== undefined ? { webex_room_id: input.webexRoomId } : {}),
    ...(input.teamsChannel !== undefined ? { teams_channel: input.teamsChannel } : {}),
    ...(input.lampUrl !== undefined ? { lamp_url: input.lampUrl } : {}),
  };
  if (id) {
    await db.updateTable('departments').set(values).where('id', '=', id).execute();
    return { ok: true, value: { id, ...input } };
  }
  const newId = ids.shortId();
  await db
    .insertInto('departments')
    .values({ id: newId, ...values, created_at: new Date(now).toISOString() })
    .execute();
  return { ok: true, value: { id: newId, ...input } };
}

// ---------------------------------------------------------------- a Teams channel linked from its install card

/** How long the install card can be answered. */
export const OFFER_DAYS = 7;

/** A Teams channel's id without the thread part a reply in it carries (`19:…@thread.tacv2;messageid=…`). */
export const channelIdOf = (conversationId: string) => conversationId.split(';')[0] ?? conversationId;

/** A new one-time value for the install card of `channel` (only its hash is kept). */
export async function offerChannelLink(db: Db, now: number, channel: string): Promise<string> {
  const nonce = randomBytes(18).toString('base64url');
  await db
    .insertInto('channel_link_offers')
    .values({
      nonce_hash: sha256(nonce),
      platform: 'teams',
      channel: channelIdOf(channel),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + OFFER_DAYS * 86_400_000).toISOString(),
      used_at: null,
    })
    .execute();
  return nonce;
}

export type ChannelLinkOutcome = 'linked' | 'not_this_card' | 'linked_elsewhere';

/**
 * The install card answered in its own channel: the channel becomes the department's alert channel, once (the offer
 * is used up) and only if the department has no other channel yet (changing one is for an admin). Audited.
 */
export async function linkChannelFromOffer(
  db: Db,
  ids: IdSource,
  now: number,
  o: { readonly channel: string; readonly offer: string; readonly department: Department; readonly actor: string },
): Promise<ChannelLinkOutcome> {
  const channel = channelIdOf(o.channel);
  if (o.department.teamsChannel && channelIdOf(o.department.teamsChannel) !== channel) return 'linked_elsewhere';
  if (!o.offer) return 'not_this_card';
  const at = new Date(now).toISOString();
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('channel_link_offers')
      .set({ used_at: at })
      .where('nonce_hash', '=', sha256(o.offer))
      .where('platform', '=', 'teams')
      .where('channel', '=', channel)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) === 0) return 'not_this_card';
    await trx.updateTable('departments').set({ teams_channel: channel }).where('id', '=', o.department.id).execute();
    await writeAudit(trx, ids, now, {
      actor: o.actor,
      action: 'department.teams_channel',
      entity: 'department',
      entityId: o.department.id,
      before: { teamsChannel: o.department.teamsChannel ?? '' },
      after: { teamsChannel: channel, via: 'install card' },
    });
    return 'linked';
  });
}
