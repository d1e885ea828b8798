// What the bot does for a branch's walk-in (来庁者): /call connects the citizen at the counter to a department now,
// /extend lets a consultation run on, /site says where a staff member works. Shared by the commands and the card buttons.
import { formatMinute, toLocalMinute } from '../core/time.ts';
import { card, submit, text } from '../core/cards.ts';
import type { Card } from '../core/cards.ts';
import { extendConsultation } from '../scheduler/consultations.ts';
import { devicesAt } from '../scheduler/walk-ins.ts';
import type { Site } from '../scheduler/sites.ts';
import { SITE_KIND_JA, findSite, getSite, listSites } from '../scheduler/sites.ts';
import { startWalkIn } from '../relay/walk-in.ts';
import { setStaffSite, staffOfDepartment } from '../relay/staff.ts';
import { optionsCard } from '../relay/cards.ts';
import type { Ctx, Reply } from './context.ts';
import { actorOf, fromProblem, say } from './context.ts';
import { consultationFor } from './replies.ts';

export interface CallWords {
  readonly department: string;
  readonly topic: string;
  readonly reception?: string | undefined;
  /** `@2` (the device's number in the site's list) or a host id. */
  readonly device?: string | undefined;
  /** `!`: call even though the counter is closed. */
  readonly confirm?: boolean | undefined;
}

export const CALL_EXAMPLE = '/call 税務 相続の手続き';

/** The staff member's site: theirs, or the only one there is. */
async function siteOf(ctx: Ctx): Promise<Site | null> {
  const own = await getSite(ctx.deps.store.db, ctx.staff.siteId);
  if (own) return own;
  const sites = await listSites(ctx.deps.store.db);
  return sites.length === 1 ? sites[0]! : null;
}

export function chooseDeviceCard(o: CallWords, hosts: ReadonlyArray<{ id: string; displayName: string }>): Card {
  return card(
    [
      text('相談者がいる端末を選んでください / Which device is the citizen at?', { weight: 'Bolder' }),
      {
        type: 'Input.ChoiceSet',
        id: 'hostId',
        label: '端末 / Device',
        style: 'expanded',
        isRequired: true,
        errorMessage: '端末を選んでください / Choose a device',
        value: hosts[0]?.id,
        choices: hosts.map((h) => ({ title: h.displayName, value: h.id })),
      },
    ],
    [
      submit(
        'この端末でつなぐ / Call',
        { verb: 'call', department: o.department, topic: o.topic, ...(o.reception ? { reception: o.reception } : {}) },
        'positive',
      ),
    ],
  );
}

export function confirmCard(o: CallWords, hostId: string | undefined): Card {
  return card(
    [text('受付時間外ですが、つなぎますか？ / The counter is closed: call anyway?', { weight: 'Bolder' })],
    [
      submit(
        '時間外でもつなぐ / Call anyway',
        {
          verb: 'call',
          department: o.department,
          topic: o.topic,
          confirm: 'yes',
          ...(o.reception ? { reception: o.reception } : {}),
          ...(hostId ? { hostId } : {}),
        },
        'positive',
      ),
    ],
  );
}

export async function callReply(ctx: Ctx, o: CallWords): Promise<Reply> {
  const db = ctx.deps.store.db;
  const site = await siteOf(ctx);
  if (!site) {
    const names = (await listSites(db)).map((s) => s.name).join('、');
    return say(`先に、どこの窓口から呼び出すかを登録してください。例: /site 北支所（拠点: ${names}）`, 'Say where you work first, e.g. /site North Branch');
  }
  let hostId: string | undefined;
  if (o.device) {
    const ref = o.device.replace(/^[@＠]/, '');
    const here = await devicesAt(db, site.id);
    hostId = /^\d{1,2}$/.test(ref) ? here[Number(ref) - 1]?.id : here.find((h) => h.id === ref.toUpperCase() || h.id === ref)?.id;
    if (!hostId) {
      return say(
        `端末「${o.device}」は${site.name}にありません。${site.name}の端末: ${here.map((h, i) => `@${i + 1} ${h.displayName}`).join('、') || 'なし'}`,
        `No device "${o.device}" at ${site.name}.`,
      );
    }
  }
  const r = await startWalkIn(ctx.deps, {
    siteId: site.id,
    hostId,
    department: o.department,
    topic: o.topic,
    reception: o.reception ?? '',
    requestedBy: ctx.staff.id,
    actor: actorOf(ctx.staff),
    fromDepartmentId: ctx.staff.departmentId,
    outsideHoursConfirmed: o.confirm === true,
  });
  if (!r.ok) {
    const why = r.reason;
    switch (why.kind) {
      case 'choose_device':
        return say(`${why.problem.message.ja}\n例: ${CALL_EXAMPLE} @1`, why.problem.message.en, chooseDeviceCard(o, why.free));
      case 'device_busy':
        return say(why.problem.message.ja, why.problem.message.en, why.free.length > 0 ? chooseDeviceCard(o, why.free) : undefined);
      case 'outside_hours':
        return say(`${why.problem.message.ja}\n例: ${CALL_EXAMPLE} !`, why.problem.message.en, confirmCard(o, hostId));
      default:
        return fromProblem(why.problem, CALL_EXAMPLE);
    }
  }
  const w = r.value;
  const head = `${w.department.name}を呼び出しました（来庁者 #${w.consultation.id}、${w.site.name} ${w.host.displayName}、${w.queue.position}番目）。`;
  const tell = `相談者には「${w.department.name}につないでいます。このままお待ちください。」とお伝えください。会議の準備ができたら、参加の情報をお送りします。`;
  if (w.onDuty.length > 0) {
    return say(
      `${head}当番: ${w.onDuty.map((s) => s.displayName).join('、')}。${tell}`,
      `${w.department.name} alerted for walk-in #${w.consultation.id} (position ${w.queue.position}). You will be told who is coming.`,
    );
  }
  // Nobody on duty: the branch hears it now, with what else it can do, while everyone in the department is alerted.
  const others = await Promise.all(
    ctx.departments.filter((d) => d.id !== w.department.id).map(async (d) => ({ d, duty: (await staffOfDepartment(db, d.id)).some((s) => s.onDuty) })),
  );
  return say(
    `${head}${w.department.name}にはいま当番の方がいないため、課の全員を呼び出しています。応答がないときは、ほかの課へおつなぎするか、課から相談者へ電話する（折り返し）か、日時を決めて予約してください（/book）。${tell}`,
    `Nobody is on duty at ${w.department.name}; everyone there is alerted. You may relay elsewhere, arrange a call back, or book a time.`,
    optionsCard({
      relayId: w.queue.relay.id,
      consultationId: w.consultation.id,
      toDepartment: w.department.name,
      why: 'nobody_on_duty',
      departments: [...others.filter((x) => x.duty), ...others.filter((x) => !x.duty)].map((x) => x.d.name),
    }),
  );
}

export async function extendReply(ctx: Ctx, o: { minutes: number; id: string | null }): Promise<Reply> {
  const target = await consultationFor(ctx, o.id);
  if (!('id' in target)) {
    return say(
      target.candidates.length === 0
        ? '延長する相談が見つかりません。相談番号を付けてください。例: /extend 30 #K7M2Q9XA'
        : `どの相談を延長しますか？ 番号を付けて送ってください。\n${target.candidates.map((c) => c.label).join('\n')}`,
      'Which consultation? e.g. /extend 30 #K7M2Q9XA',
    );
  }
  const r = await extendConsultation(ctx.deps, target.id, o.minutes, actorOf(ctx.staff));
  if (!r.ok) return fromProblem(r.reason);
  const until = formatMinute(toLocalMinute(Date.parse(r.value.end)));
  return say(
    `相談 #${r.value.id} を${o.minutes}分延長しました（${until}まで）。続くあいだは自動でも延長します。会議はそのまま続けられます。`,
    `Consultation #${r.value.id} extended by ${o.minutes} minutes (until ${until}).`,
  );
}

export async function siteReply(ctx: Ctx, typed: string): Promise<Reply> {
  const db = ctx.deps.store.db;
  if (!typed) {
    const sites = await listSites(db);
    const mine = await getSite(db, ctx.staff.siteId);
    return say(
      `あなたの拠点: ${mine?.name ?? '未登録'}\n拠点: ${sites.map((s) => `${s.name}（${SITE_KIND_JA[s.kind]}）`).join('、')}\n例: /site 北支所`,
      `Your site: ${mine?.name ?? 'not set'}. Example: /site North Branch`,
    );
  }
  const site = await findSite(db, typed);
  if (!site.ok) return fromProblem(site.reason, '/site 北支所');
  await setStaffSite(db, ctx.staff.id, site.value.id);
  return say(
    `あなたの拠点を${site.value.name}にしました。${site.value.kind === 'branch' ? `来庁者を課へつなぐときは ${CALL_EXAMPLE} と送ってください。` : ''}`,
    `Your site is now ${site.value.name}.`,
  );
}
