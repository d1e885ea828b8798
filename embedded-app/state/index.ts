// The in-meeting app's state for one consultation, read and changed in one place: the citizen's step and answers,
// consents, what staff checked, the relay. Every change tells the live pages (core/events.ts) after it commits.
import type { Db } from '../../core/store/schema.ts';
import type { IdSource } from '../../core/ids.ts';
import type { AppEvents } from '../../core/events.ts';
import { writeAudit } from '../../core/audit.ts';
import { enqueue } from '../../core/outbox.ts';
import { CONSENT_REFUSED } from './job-kinds.ts';
import type { ConsultationView } from '../../scheduler/views.ts';
import type { ChecklistContent, ConsentContent } from './content.ts';
import { activeChecklist, rememberText } from './content-store.ts';
import type { ContentVersion } from './content-store.ts';
import { nameBeside } from '../../relay/staff.ts';

/** The citizen's steps: welcome, consent, documents, ready to join (the meeting's button), and after it the survey. */
export const STEPS = ['welcome', 'consent', 'documents', 'ready', 'end'] as const;
export type Step = (typeof STEPS)[number];
export const isStep = (v: unknown): v is Step => typeof v === 'string' && (STEPS as readonly string[]).includes(v);
export type EntryPoint = 'link' | 'webex' | 'teams';
export type Answer = 'have' | 'missing';

export interface StateDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly events?: AppEvents | undefined;
}

export interface ConsentRecord {
  readonly agreed: boolean;
  readonly textVersion: string;
  readonly items: string[];
  readonly entryPoint: string;
  readonly lang: string;
  readonly at: string;
}

export interface RelayStatusView {
  readonly status: string;
  readonly department: string;
  readonly accepter: string | null;
  readonly requestedAt: string;
  readonly minutes: number;
}

export interface AppState {
  readonly step: Step | 'not_opened';
  readonly pushed: { readonly step: Step; readonly at: number } | null;
  readonly checklist: ContentVersion<ChecklistContent>;
  readonly answers: Record<string, Answer>;
  readonly staffChecked: Record<string, { by: string; at: string }>;
  readonly consents: ConsentRecord[];
  readonly survey: { satisfaction: number | null; again: boolean | null; comment: string } | null;
  readonly relay: RelayStatusView | null;
}

const json = <T>(v: string | null | undefined, fallback: T): T => {
  try {
    return v ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
};

export async function latestRelay(db: Db, consultationId: string, now: number): Promise<RelayStatusView | null> {
  const r = await db
    .selectFrom('relays as r')
    .innerJoin('departments as d', 'd.id', 'r.to_department_id')
    .leftJoin('staff as s', 's.id', 'r.accepted_by')
    .select(['r.status', 'r.requested_at', 'd.name as department', 'd.aliases', 's.display_name as accepter'])
    .where('r.consultation_id', '=', consultationId)
    .orderBy('r.requested_at', 'desc')
    .executeTakeFirst();
  if (!r) return null;
  return {
    status: r.status,
    department: r.department,
    accepter: nameBeside(r.accepter, { name: r.department, aliases: JSON.parse(r.aliases) as string[] }),
    requestedAt: r.requested_at,
    minutes: Math.max(0, Math.floor((now - Date.parse(r.requested_at)) / 60_000)),
  };
}

export async function readState(db: Db, c: Pick<ConsultationView, 'id' | 'consultationType'>, now: number): Promise<AppState> {
  const [progress, consents, relay, checklist] = await Promise.all([
    db.selectFrom('app_progress').selectAll().where('consultation_id', '=', c.id).executeTakeFirst(),
    db.selectFrom('consents').selectAll().where('consultation_id', '=', c.id).orderBy('id').execute(),
    latestRelay(db, c.id, now),
    activeChecklist(db, c.consultationType),
  ]);
  return {
    step: isStep(progress?.step) ? progress.step : 'not_opened',
    pushed:
      progress?.pushed_step && isStep(progress.pushed_step) && progress.pushed_at ? { step: progress.pushed_step, at: Date.parse(progress.pushed_at) } : null,
    checklist,
    answers: json(progress?.checklist, {}),
    staffChecked: json(progress?.staff_checked, {}),
    consents: consents.map((x) => ({
      agreed: x.agreed === 1,
      textVersion: x.text_version,
      items: json(x.items, []),
      entryPoint: x.entry_point,
      lang: x.lang,
      at: x.created_at,
    })),
    survey: json(progress?.survey, null),
    relay,
  };
}

type ProgressPatch = { step?: Step; checklist?: string; survey?: string; staff_checked?: string; pushed_step?: Step; pushed_at?: string };

async function upsertProgress(db: Db, consultationId: string, now: number, patch: ProgressPatch): Promise<void> {
  const at = new Date(now).toISOString();
  await db
    .insertInto('app_progress')
    .values({
      consultation_id: consultationId,
      step: patch.step ?? 'not_opened',
      checklist: patch.checklist ?? '{}',
      survey: patch.survey ?? null,
      staff_checked: patch.staff_checked ?? '{}',
      pushed_step: patch.pushed_step ?? null,
      pushed_at: patch.pushed_at ?? null,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('consultation_id').doUpdateSet({ ...patch, updated_at: at }))
    .execute();
}

/** The citizen reached a step (and answered, on the documents and end steps). */
export async function citizenAt(
  deps: StateDeps,
  consultationId: string,
  step: Step,
  patch: { checklist?: Record<string, Answer>; survey?: NonNullable<AppState['survey']> } = {},
): Promise<void> {
  await upsertProgress(deps.db, consultationId, deps.clock(), {
    step,
    ...(patch.checklist ? { checklist: JSON.stringify(patch.checklist) } : {}),
    ...(patch.survey ? { survey: JSON.stringify(patch.survey) } : {}),
  });
  await deps.events?.changed(consultationId);
}

/** Records a consent answer (insert-only) with the exact text shown, and audits it. */
export async function recordConsent(
  deps: StateDeps,
  consultationId: string,
  shown: ContentVersion<ConsentContent>,
  agreed: boolean,
  entryPoint: EntryPoint,
  lang: 'ja' | 'en',
): Promise<void> {
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const version = await rememberText(trx, now, 'consent', shown.body);
    const id = deps.ids.sortableId(now);
    await trx
      .insertInto('consents')
      .values({
        id,
        consultation_id: consultationId,
        text_version: version,
        items: JSON.stringify(shown.body.items.map((i) => i.id)),
        agreed: agreed ? 1 : 0,
        entry_point: entryPoint,
        lang,
        created_at: new Date(now).toISOString(),
      })
      .execute();
    await writeAudit(trx, deps.ids, now, {
      actor: 'citizen',
      action: agreed ? 'consent.given' : 'consent.refused',
      entity: 'consultation',
      entityId: consultationId,
      before: null,
      after: { textVersion: version, entryPoint, lang },
    });
    // "同意しない" tells the staff (their department's space), who offer the phone or the counter instead.
    if (!agreed) await enqueue(trx, deps.ids, now, CONSENT_REFUSED, consultationId, { consentId: id });
  });
  await deps.events?.changed(consultationId);
}

/** Staff move the citizen's page to a step; the citizen's open page follows. */
export async function pushStep(deps: StateDeps, consultationId: string, step: Step, actor: string): Promise<void> {
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    await upsertProgress(trx, consultationId, now, { pushed_step: step, pushed_at: new Date(now).toISOString() });
    await writeAudit(trx, deps.ids, now, { actor, action: 'app.step_pushed', entity: 'consultation', entityId: consultationId, before: null, after: { step } });
  });
  await deps.events?.changed(consultationId);
}

/** Staff mark a document as seen (or take the mark back). Two staff marking at once both count (compare-and-set). */
export async function checkDocument(deps: StateDeps, consultationId: string, itemId: string, checked: boolean, actor: string): Promise<void> {
  const now = deps.clock();
  for (let attempt = 0; ; attempt++) {
    const done = await deps.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('app_progress').select('staff_checked').where('consultation_id', '=', consultationId).executeTakeFirst();
      const marks = json<Record<string, { by: string; at: string }>>(row?.staff_checked, {});
      if (checked) marks[itemId] = { by: actor, at: new Date(now).toISOString() };
      else delete marks[itemId];
      if (!row) await upsertProgress(trx, consultationId, now, { staff_checked: JSON.stringify(marks) });
      else {
        const r = await trx
          .updateTable('app_progress')
          .set({ staff_checked: JSON.stringify(marks), updated_at: new Date(now).toISOString() })
          .where('consultation_id', '=', consultationId)
          .where('staff_checked', '=', row.staff_checked)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
      }
      await writeAudit(trx, deps.ids, now, {
        actor,
        action: checked ? 'app.document_checked' : 'app.document_unchecked',
        entity: 'consultation',
        entityId: consultationId,
        before: null,
        after: { item: itemId },
      });
      return true;
    });
    if (done) break;
    if (attempt >= 5) throw new Error('checklist kept changing; try again');
  }
  await deps.events?.changed(consultationId);
}

/** Whether the citizen's latest answer to the consent is yes (the documents and the survey come after it). */
export async function hasConsented(db: Db, consultationId: string): Promise<boolean> {
  const last = await db.selectFrom('consents').select('agreed').where('consultation_id', '=', consultationId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return last?.agreed === 1;
}

/** The citizen answered the survey in the app (a mail need not ask again). */
export async function surveyAnswered(db: Db, consultationId: string): Promise<boolean> {
  const row = await db.selectFrom('app_progress').select('survey').where('consultation_id', '=', consultationId).executeTakeFirst();
  return !!row?.survey;
}
