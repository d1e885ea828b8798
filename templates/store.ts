// Template versions in the store: the active one is the newest; saving checks the template first; rollback saves an old one anew.
import type { Selectable } from 'kysely';
import type { Db, TemplateVersionTable } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { isUniqueViolation } from '../core/store/db.ts';
import type { Result } from '../core/errors.ts';
import { fail, ok, problem } from '../core/errors.ts';
import { writeAudit } from '../core/audit.ts';
import type { Locale, TemplateContent, TemplateKind } from './defaults.ts';
import { DEFAULT_TEMPLATES } from './defaults.ts';
import type { TemplatePart, TemplateProblem } from './liquid.ts';
import { checkTemplate } from './liquid.ts';

export interface TemplateVersion extends TemplateContent {
  readonly id: string;
  readonly kind: TemplateKind;
  readonly locale: Locale;
  readonly version: number;
  readonly note: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** The template in use: the newest saved version, or the built-in default (version 0). */
export async function activeTemplate(db: Db, kind: TemplateKind, locale: Locale): Promise<TemplateVersion> {
  const row = await db
    .selectFrom('template_versions')
    .selectAll()
    .where('kind', '=', kind)
    .where('locale', '=', locale)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row)
    return {
      id: 'default',
      kind,
      locale,
      version: 0,
      note: '初期設定 / built-in default',
      createdBy: 'madoguchi',
      createdAt: '',
      ...DEFAULT_TEMPLATES[kind][locale],
    };
  return fromRow(row);
}

function fromRow(r: Selectable<TemplateVersionTable>): TemplateVersion {
  return {
    id: r.id,
    kind: r.kind as TemplateKind,
    locale: r.locale as Locale,
    version: r.version,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    note: r.note,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** Newest first. */
export async function templateHistory(db: Db, kind: TemplateKind, locale: Locale): Promise<TemplateVersion[]> {
  const rows = await db.selectFrom('template_versions').selectAll().where('kind', '=', kind).where('locale', '=', locale).orderBy('version', 'desc').execute();
  return rows.map(fromRow);
}

export interface TemplateRefused {
  readonly problems: ReadonlyArray<TemplateProblem>;
}

/** Saves a new active version, unless the template has a problem (then nothing is written). */
export async function saveTemplate(
  db: Db,
  ids: IdSource,
  now: number,
  actor: string,
  kind: TemplateKind,
  locale: Locale,
  content: Record<TemplatePart, string>,
  note = '',
): Promise<Result<TemplateVersion, TemplateRefused>> {
  const problems = checkTemplate(content);
  if (problems.length > 0) return fail({ problems });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const saved = await db.transaction().execute(async (trx) => {
        const last = await trx
          .selectFrom('template_versions')
          .select('version')
          .where('kind', '=', kind)
          .where('locale', '=', locale)
          .orderBy('version', 'desc')
          .limit(1)
          .executeTakeFirst();
        const row = {
          id: ids.shortId(),
          kind,
          locale,
          version: (last?.version ?? 0) + 1,
          subject: content.subject,
          text_body: content.text,
          html_body: content.html,
          note,
          created_by: actor,
          created_at: new Date(now).toISOString(),
        };
        await trx.insertInto('template_versions').values(row).execute();
        await writeAudit(trx, ids, now, {
          actor,
          action: 'template.saved',
          entity: 'template',
          entityId: `${kind}/${locale}`,
          before: last ? { version: last.version } : null,
          after: { version: row.version, note },
        });
        return fromRow(row);
      });
      return ok(saved);
    } catch (error) {
      // Two admins saving at once: the second takes the next number.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error('could not save the template version after 3 tries');
}

/** Makes an earlier version active again, by saving its content as the newest version (history stays complete). */
export async function rollbackTemplate(
  db: Db,
  ids: IdSource,
  now: number,
  actor: string,
  kind: TemplateKind,
  locale: Locale,
  versionId: string,
): Promise<Result<TemplateVersion, TemplateRefused | ReturnType<typeof problem>>> {
  const target =
    versionId === 'default'
      ? { ...DEFAULT_TEMPLATES[kind][locale], version: 0 }
      : await db
          .selectFrom('template_versions')
          .selectAll()
          .where('id', '=', versionId)
          .where('kind', '=', kind)
          .where('locale', '=', locale)
          .executeTakeFirst()
          .then((r) => (r ? fromRow(r) : null));
  if (!target) return fail(problem('not_found', `版 ${versionId} は見つかりません。`, `Version ${versionId} was not found.`));
  const note =
    target.version === 0
      ? '初期設定に戻しました / rolled back to the built-in default'
      : `第${target.version}版に戻しました / rolled back to version ${target.version}`;
  return saveTemplate(db, ids, now, actor, kind, locale, { subject: target.subject, text: target.text, html: target.html }, note);
}
