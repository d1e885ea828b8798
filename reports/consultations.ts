// The consultations as the admin page lists them (filtered by dates, department, site, host, status and booked or
// walk-in; those that need attention first), and one consultation's timeline: booked, meeting ready, invited, each
// relay hop, consent, documents, survey, mails sent — read from the audit log, the outbox and the app's progress.
import type { Db } from '../core/store/schema.ts';
import { addDays, formatJa, startOfLocalDate } from '../core/time.ts';
import type { LocalDate } from '../core/time.ts';
import { actorName } from '../core/audit.ts';
import { ERASED } from '../scheduler/personal-data.ts';
import type { Label } from './labels.ts';
import { namesById } from './store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export interface ConsultationFilter {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly departmentId?: string | undefined;
  readonly siteId?: string | undefined;
  readonly hostId?: string | undefined;
  readonly status?: string | undefined;
  readonly kind?: string | undefined;
}

export interface ListedConsultation {
  readonly id: string;
  readonly startAt: number;
  readonly endAt: number;
  readonly status: string;
  readonly statusNote: string;
  readonly kind: string;
  readonly type: string;
  readonly department: string;
  readonly site: string;
  readonly host: string;
  readonly platform: string;
  /** null once erased (retention or request). */
  readonly citizen: { readonly name: string; readonly email: string; readonly topic: string } | null;
  readonly relays: number;
}

/** The most a page or a CSV lists at once; the page says when there were more. */
export const LIST_LIMIT = 1000;

export async function findConsultations(db: Db, f: ConsultationFilter): Promise<{ rows: ListedConsultation[]; more: boolean }> {
  let q = db
    .selectFrom('consultations')
    .select([
      'id',
      'start_at',
      'end_at',
      'status',
      'status_note',
      'kind',
      'consultation_type',
      'department_id',
      'site_id',
      'host_id',
      'citizen_name',
      'citizen_email',
      'topic',
      'personal_data_erased_at',
    ])
    .where('start_at', '>=', iso(startOfLocalDate(f.from)))
    .where('start_at', '<', iso(startOfLocalDate(addDays(f.to, 1))));
  if (f.departmentId) q = q.where('department_id', '=', f.departmentId);
  if (f.hostId) q = q.where('host_id', '=', f.hostId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.siteId) q = f.siteId === 'main' ? q.where((eb) => eb.or([eb('site_id', '=', 'main'), eb('site_id', 'is', null)])) : q.where('site_id', '=', f.siteId);
  // Those that need attention first (someone must act), then in time order.
  const [rows, names] = await Promise.all([
    q
      .orderBy((eb) => eb.case().when('status', '=', 'needs_attention').then(0).else(1).end())
      .orderBy('start_at')
      .orderBy('id')
      .limit(LIST_LIMIT + 1)
      .execute(),
    namesById(db),
  ]);
  const shown = rows.slice(0, LIST_LIMIT);
  const relayCounts =
    shown.length === 0
      ? []
      : await db
          .selectFrom('relays')
          .select(['consultation_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where(
            'consultation_id',
            'in',
            shown.map((r) => r.id),
          )
          .groupBy('consultation_id')
          .execute();
  const relaysOf = new Map(relayCounts.map((r) => [r.consultation_id, Number(r.n)]));
  return {
    more: rows.length > LIST_LIMIT,
    rows: shown.map((r) => ({
      id: r.id,
      startAt: Date.parse(r.start_at),
      endAt: Date.parse(r.end_at),
      status: r.status,
      statusNote: r.status_note,
      kind: r.kind,
      type: r.consultation_type,
      department: names.departments.get(r.department_id) ?? r.department_id,
      site: names.site(r.site_id),
      host: names.hosts.get(r.host_id)?.name ?? r.host_id,
      platform: names.hosts.get(r.host_id)?.provider ?? '',
      citizen: r.personal_data_erased_at ? null : { name: r.citizen_name, email: r.citizen_email, topic: r.topic },
      relays: relaysOf.get(r.id) ?? 0,
    })),
  };
}

export interface TimelineEntry {
  readonly at: number;
  readonly what: Label;
  /** Who did it, as people read it ('' for the system). */
  readonly who: string;
  readonly detail: string;
}

const ACTIONS: Record<string, Label> = {
  'consultation.booked': { ja: '予約', en: 'Booked' },
  'consultation.meeting_ready': { ja: '会議ができました', en: 'Meeting ready' },
  'consultation.invited': { ja: '案内メールを送りました', en: 'Invitation sent' },
  'consultation.started': { ja: '開始', en: 'Started' },
  'consultation.completed': { ja: '終了', en: 'Completed' },
  'consultation.cancelled': { ja: '取り消し', en: 'Cancelled' },
  'consultation.rescheduled': { ja: '日時・端末の変更', en: 'Moved' },
  'consultation.extended': { ja: '延長', en: 'Extended' },
  'consultation.needs_attention': { ja: '要対応になりました', en: 'Needs attention' },
  'consultation.retried': { ja: 'やり直し', en: 'Retried' },
  'consultation.personal_data_erased': { ja: '個人情報を消去', en: 'Personal data erased' },
  'personal_data.purged': { ja: '保存期間が過ぎ個人情報を消去', en: 'Personal data purged (retention)' },
  'meeting.created': { ja: '会議を作りました', en: 'Meeting created' },
  'meeting.updated': { ja: '会議を更新しました', en: 'Meeting updated' },
  'meeting.deleted': { ja: '会議を削除しました', en: 'Meeting deleted' },
  'relay.requested': { ja: 'おつなぎの依頼', en: 'Relay requested' },
  'relay.accepted': { ja: 'おつなぎに応答', en: 'Relay accepted' },
  'relay.declined': { ja: 'おつなぎを断られました', en: 'Relay declined' },
  'relay.decline_noted': { ja: '一人が辞退', en: 'One person declined' },
  'relay.escalated': { ja: 'おつなぎを全員に再通知', en: 'Relay escalated' },
  'relay.done': { ja: 'おつなぎの完了', en: 'Relay done' },
  'relay.cancelled': { ja: 'おつなぎの取り消し', en: 'Relay cancelled' },
  'consent.given': { ja: '同意', en: 'Consent given' },
  'consent.refused': { ja: '同意されませんでした', en: 'Consent refused' },
  'app.document_checked': { ja: '書類を確認', en: 'Document checked' },
  'app.document_unchecked': { ja: '書類の確認を取り消し', en: 'Document unchecked' },
  'app.step_pushed': { ja: '職員が画面を進めました', en: 'Staff moved the step' },
  'host.added': { ja: '端末を追加', en: 'Host added' },
  'host.changed': { ja: '端末を変更', en: 'Host changed' },
  'host.retired': { ja: '端末を退役', en: 'Host retired' },
  'staff.changed': { ja: '職員の課・拠点を変更', en: 'Staff changed' },
  'staff.duty_on': { ja: '当番にしました', en: 'Put on duty' },
  'staff.duty_off': { ja: '当番を終えました', en: 'Taken off duty' },
  'token.created': { ja: 'トークンを作成', en: 'Token created' },
  'token.revoked': { ja: 'トークンを取り消し', en: 'Token revoked' },
  'device.created': { ja: '端末トークンを作成', en: 'Device token created' },
  'device.revoked': { ja: '端末トークンを取り消し', en: 'Device token revoked' },
  'site.added': { ja: '拠点を追加', en: 'Site added' },
  'site.changed': { ja: '拠点を変更', en: 'Site changed' },
  'consultations.exported_with_personal_data': { ja: '個人情報を含む CSV を保存', en: 'CSV with personal data saved' },
  'calendar_exception.created': { ja: '閉庁日・特別開庁日を追加', en: 'Closure added' },
  'calendar_exception.removed': { ja: '閉庁日・特別開庁日を削除', en: 'Closure removed' },
};

const MAILS: Record<string, string> = {
  'mail.invitation': '案内',
  'mail.reminder': 'お知らせ（前日・直前）',
  'mail.change': '変更',
  'mail.cancellation': '取り消し',
  'mail.survey': 'アンケートのお願い',
  'mail.staff_notice': '職員へのお知らせ',
};

const MAIL_EN: Record<string, string> = {
  'mail.invitation': 'invitation',
  'mail.reminder': 'reminder',
  'mail.change': 'change',
  'mail.cancellation': 'cancellation',
  'mail.survey': 'survey request',
  'mail.staff_notice': 'staff notice',
};

/** What an audit entry says, as people read it: a mail sent is named by its kind. */
export function actionLabel(action: string): Label {
  const known = ACTIONS[action];
  if (known) return known;
  const mail = /^(mail\.[a-z_]+)\.sent$/.exec(action)?.[1];
  if (mail) return { ja: `メール送信: ${MAILS[mail] ?? mail}`, en: `Mail sent: ${MAIL_EN[mail] ?? mail}` };
  return { ja: action, en: action };
}

function parse(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Who did it, as people read it: staff by their name (relay steps name them by id), the system, the citizen. */
export function whoDid(actor: string, staffNames: ReadonlyMap<string, string>): string {
  if (actor === 'system') return 'システム';
  if (actor === 'citizen') return '相談者';
  return staffNames.get(actor) ?? actorName(actor);
}

/** One consultation's history, oldest first. */
export async function consultationTimeline(db: Db, id: string, kind = 'booked'): Promise<TimelineEntry[]> {
  const [audit, mails, progress, staff, names] = await Promise.all([
    db
      .selectFrom('audit_log')
      .select(['at', 'actor', 'action', 'after_json'])
      .where('entity', '=', 'consultation')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('outbox')
      .select(['kind', 'status', 'done_at', 'created_at', 'last_error', 'attempts'])
      .where('consultation_id', '=', id)
      .where('kind', 'like', 'mail.%')
      .where('status', '=', 'dead')
      .execute(),
    db.selectFrom('app_progress').select(['survey', 'updated_at']).where('consultation_id', '=', id).executeTakeFirst(),
    db.selectFrom('staff').select(['id', 'display_name']).execute(),
    namesById(db),
  ]);
  const staffName = new Map(staff.map((s) => [s.id, s.display_name]));
  const out: TimelineEntry[] = [];
  const invited = audit.some((a) => a.action === 'consultation.invited');
  for (const a of audit) {
    // The invitation is said once: 案内メールを送りました.
    if (invited && a.action === 'mail.invitation.sent') continue;
    const after = parse(a.after_json);
    let detail = '';
    if (a.action === 'relay.requested') detail = `${names.departments.get(String(after.to)) ?? ''}へ（${Number(after.alerted ?? 0)}人に通知）`;
    else if (a.action === 'relay.accepted' && typeof after.by === 'string') detail = staffName.get(after.by) ?? '';
    else if (a.action === 'relay.escalated' && typeof after.waitingMinutes === 'number') detail = `${after.waitingMinutes}分待ち`;
    else if (a.action === 'consent.given' || a.action === 'consent.refused') detail = String(after.entryPoint ?? '');
    else if (a.action === 'app.document_checked' || a.action === 'app.document_unchecked') detail = String(after.item ?? '');
    else if (a.action === 'consultation.rescheduled' && typeof after.start === 'string') detail = `${formatJa(Date.parse(after.start))}から`;
    else if (a.action === 'consultation.needs_attention' || a.action === 'consultation.cancelled') {
      // The lifecycle's own entries carry `note`; a change made by staff carries the consultation as the API shows it.
      const note = typeof after.note === 'string' ? after.note : typeof after.statusNote === 'string' ? after.statusNote : '';
      detail = note === ERASED ? '（消去済み）' : note;
    }
    const what = a.action === 'consultation.booked' && kind === 'walk_in' ? { ja: '来庁の受付', en: 'Walk-in received' } : actionLabel(a.action);
    out.push({ at: Date.parse(a.at), what, who: a.actor === 'system' ? '' : whoDid(a.actor, staffName), detail });
  }
  // Mails sent are in the audit log; the outbox adds those the worker gave up on.
  for (const m of mails) {
    out.push({
      at: Date.parse(m.done_at ?? m.created_at),
      what: { ja: `メールを送れませんでした: ${MAILS[m.kind] ?? m.kind}`, en: `Mail not sent: ${m.kind}` },
      who: '',
      detail: `${m.attempts}回試行`,
    });
  }
  const survey = parse(progress?.survey ?? null);
  if (progress?.survey && (survey.satisfaction !== undefined || survey.again !== undefined)) {
    out.push({
      at: Date.parse(progress.updated_at),
      what: { ja: 'アンケートの回答', en: 'Survey answered' },
      who: '',
      detail: `満足度 ${typeof survey.satisfaction === 'number' ? survey.satisfaction : '—'} / 5、また利用したい: ${survey.again === true ? 'はい' : survey.again === false ? 'いいえ' : '—'}`,
    });
  }
  return out.sort((a, b) => a.at - b.at);
}
