// The consent text and checklists in use, and their history. The newest saved version per (kind, key) is in use,
// else the built-in default. Every text ever shown is kept by its hash (app_texts, insert-only).
import type { Db } from '../../core/store/schema.ts';
import type { IdSource } from '../../core/ids.ts';
import { isUniqueViolation } from '../../core/store/db.ts';
import { writeAudit } from '../../core/audit.ts';
import type { ChecklistContent, ConsentContent, ContentKind } from './content.ts';
import { ChecklistContentSchema, ConsentContentSchema, DEFAULT_CHECKLISTS, DEFAULT_CONSENT, contentHash, defaultChecklist } from './content.ts';

export interface ContentVersion<T> {
  readonly kind: ContentKind;
  readonly key: string;
  /** 0 for the built-in default. */
  readonly version: number;
  readonly hash: string;
  readonly body: T;
  readonly note: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

const parse = (kind: ContentKind, body: string) =>
  kind === 'consent' ? ConsentContentSchema.parse(JSON.parse(body)) : ChecklistContentSchema.parse(JSON.parse(body));

/** The saved versions of one text, newest first. */
async function savedVersions(db: Db, kind: ContentKind, key: string, limit?: number): Promise<Array<ContentVersion<ConsentContent | ChecklistContent>>> {
  const rows = await db
    .selectFrom('app_content_versions as v')
    .innerJoin('app_texts as t', 't.hash', 'v.hash')
    .select(['v.version', 'v.hash', 'v.note', 'v.created_by', 'v.created_at', 't.body'])
    .where('v.kind', '=', kind)
    .where('v.key', '=', key)
    .orderBy('v.version', 'desc')
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
  return rows.map((r) => ({
    kind,
    key,
    version: r.version,
    hash: r.hash,
    body: parse(kind, r.body),
    note: r.note,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }));
}

async function active<T extends ConsentContent | ChecklistContent>(db: Db, kind: ContentKind, key: string): Promise<ContentVersion<T> | null> {
  const [newest] = await savedVersions(db, kind, key, 1);
  return (newest as ContentVersion<T> | undefined) ?? null;
}

const builtIn = <T extends ConsentContent | ChecklistContent>(kind: ContentKind, key: string, body: T): ContentVersion<T> => ({
  kind,
  key,
  version: 0,
  hash: contentHash(kind, body),
  body,
  note: '初期設定 / built-in default',
  createdBy: 'madoguchi',
  createdAt: '',
});

export async function activeConsent(db: Db): Promise<ContentVersion<ConsentContent>> {
  return (await active<ConsentContent>(db, 'consent', 'default')) ?? builtIn('consent', 'default', DEFAULT_CONSENT);
}

/** The checklist for a consultation type: its own if saved or built in, else the general one. */
export async function activeChecklist(db: Db, consultationType: string): Promise<ContentVersion<ChecklistContent>> {
  const own = await active<ChecklistContent>(db, 'checklist', consultationType);
  if (own) return own;
  if (DEFAULT_CHECKLISTS[consultationType]) return builtIn('checklist', consultationType, defaultChecklist(consultationType));
  return (await active<ChecklistContent>(db, 'checklist', 'general')) ?? builtIn('checklist', 'general', defaultChecklist('general'));
}

/** The consultation types that have a checklist (built in or saved). */
export async function checklistKeys(db: Db): Promise<string[]> {
  const saved = await db.selectFrom('app_content_versions').select('key').distinct().where('kind', '=', 'checklist').execute();
  return [...new Set([...Object.keys(DEFAULT_CHECKLISTS), ...saved.map((r) => r.key)])].sort();
}

/** Keeps a text that is about to be shown or saved, by its hash (no-op if kept already). */
export async function rememberText(db: Db, now: number, kind: ContentKind, body: ConsentContent | ChecklistContent): Promise<string> {
  const hash = contentHash(kind, body);
  await db
    .insertInto('app_texts')
    .values({ hash, kind, body: JSON.stringify(body), created_at: new Date(now).toISOString() })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
  return hash;
}

export async function textByHash(db: Db, hash: string): Promise<ConsentContent | ChecklistContent | null> {
  const row = await db.selectFrom('app_texts').select(['kind', 'body']).where('hash', '=', hash).executeTakeFirst();
  return row ? parse(row.kind as ContentKind, row.body) : null;
}

/** Newest first, ending with the built-in default where there is one. */
export async function contentHistory(db: Db, kind: ContentKind, key: string): Promise<Array<ContentVersion<ConsentContent | ChecklistContent>>> {
  const saved = await savedVersions(db, kind, key);
  const def = kind === 'consent' ? DEFAULT_CONSENT : DEFAULT_CHECKLISTS[key];
  return def ? [...saved, builtIn(kind, key, def)] : saved;
}

/** Saves a new version in use (validated already by the caller's schema); audited. Returns the new version number. */
export async function saveContent(
  db: Db,
  ids: IdSource,
  now: number,
  actor: string,
  kind: ContentKind,
  key: string,
  body: ConsentContent | ChecklistContent,
  note: string,
): Promise<number> {
  const valid = kind === 'consent' ? ConsentContentSchema.parse(body) : ChecklistContentSchema.parse(body);
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const hash = await rememberText(trx, now, kind, valid);
        const last = await trx
          .selectFrom('app_content_versions')
          .select((eb) => eb.fn.max('version').as('v'))
          .where('kind', '=', kind)
          .where('key', '=', key)
          .executeTakeFirst();
        const version = Number(last?.v ?? 0) + 1;
        await trx
          .insertInto('app_content_versions')
          .values({ id: ids.sortableId(now), kind, key, version, hash, note, created_by: actor, created_at: new Date(now).toISOString() })
          .execute();
        await writeAudit(trx, ids, now, {
          actor,
          action: `app.${kind}.saved`,
          entity: 'app_content',
          entityId: `${kind}:${key}`,
          before: null,
          after: { version, hash, note },
        });
        return version;
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}
