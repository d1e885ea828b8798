// Delivers what happened to a relay to the people concerned, on their chat platforms: the alert to the called
// department, the join details privately to whoever accepted, and news to the requester. Run by the outbox worker.
import type { Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import { listDepartments } from '../core/departments.ts';
import type { Department } from '../core/departments.ts';
import { formatJa, MINUTE_MS } from '../core/time.ts';
import { viewById } from '../scheduler/consultations.ts';
import { groupDigits } from '../templates/liquid.ts';
import { linkKey, staffLink } from '../core/links.ts';
import { alertCard, optionsCard } from './cards.ts';
import type { ChatPlatform, OutgoingChat } from './chat.ts';
import { departmentSpace, recordPost, staffSpace } from './chat.ts';
import { getRelay, waitingQueue } from './relay.ts';
import type { Relay } from './relay.ts';
import type { ChatPlatformKind, Staff } from './staff.ts';
import { getStaff, staffOfDepartment } from './staff.ts';

export type RelayEvent = 'requested' | 'escalated' | 'accepted' | 'declined' | 'done' | 'cancelled';

export interface NotifyDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly platforms: Partial<Record<ChatPlatformKind, ChatPlatform>>;
  /** For the staff view link given to whoever accepts. */
  readonly publicBaseUrl?: string;
  /** Opens the link-signing key (sealed under SECRET_KEY when one is set). */
  readonly secretKey?: Buffer | null;
}

/** Posts to a department's space on every platform; `purpose` (with the relay, if any) names the post, so a retried job does not post again where it already did. */
async function toDepartment(deps: NotifyDeps, department: Department, relay: Relay | null, purpose: string, message: OutgoingChat): Promise<void> {
  const done = new Set(
    (
      await deps.db
        .selectFrom('chat_messages')
        .select('platform')
        .where('relay_id', relay ? '=' : 'is', relay ? relay.id : null)
        .where('purpose', '=', purpose)
        .where('space', '=', departmentSpace(department.id))
        .execute()
    ).map((r) => r.platform),
  );
  for (const platform of Object.values(deps.platforms)) {
    if (done.has(platform.kind)) continue;
    const messageId = await platform.postToDepartment(department, message);
    if (messageId !== null)
      await recordPost(deps.db, deps.ids, deps.clock(), {
        platform: platform.kind,
        space: departmentSpace(department.id),
        platformMessageId: messageId,
        relayId: relay?.id ?? null,
        purpose,
        message,
      });
  }
}

async function toStaff(deps: NotifyDeps, staff: Staff | null, relay: Relay, purpose: string, message: OutgoingChat): Promise<void> {
  if (!staff) return;
  const platform = deps.platforms[staff.platform];
  if (!platform) {
    deps.log.warn({ staffId: staff.id, platform: staff.platform }, 'cannot reach staff: their chat platform is not configured');
    return;
  }
  const messageId = await platform.sendToStaff(staff, message);
  if (messageId !== null)
    await recordPost(deps.db, deps.ids, deps.clock(), {
      platform: platform.kind,
      space: staffSpace(staff.id),
      platformMessageId: messageId,
      relayId: relay.id,
      purpose,
      message,
    });
}

/** Takes back the alert cards of a relay, once they can no longer be answered. */
async function removeAlerts(deps: NotifyDeps, relay: Relay): Promise<void> {
  const posts = await deps.db
    .selectFrom('chat_messages')
    .selectAll()
    .where('relay_id', '=', relay.id)
    .where('purpose', 'in', ['alert', 'alert-escalated'])
    .where('removed_at', 'is', null)
    .execute();
  for (const post of posts) {
    await deps.platforms[post.platform as ChatPlatformKind]?.remove(post.platform_message_id);
    await deps.db
      .updateTable('chat_messages')
      .set({ removed_at: new Date(deps.clock()).toISOString() })
      .where('id', '=', post.id)
      .execute();
  }
}

export async function deliverRelayEvent(deps: NotifyDeps, relayId: string, event: RelayEvent): Promise<void> {
  const relay = await getRelay(deps.db, relayId);
  if (!relay) return;
  const c = await viewById(deps.db, relay.consultationId);
  if (!c) return;
  const departments = await listDepartments(deps.db);
  const to = departments.find((d) => d.id === relay.toDepartmentId)!;
  const from = departments.find((d) => d.id === relay.fromDepartmentId);
  const requester = await getStaff(deps.db, relay.requestedBy);
  const accepter = relay.acceptedBy ? await getStaff(deps.db, relay.acceptedBy) : null;
  const now = deps.clock();
  const waiting = Math.max(0, Math.floor((now - relay.requestedAt) / MINUTE_MS));
  const who = requester ? `${requester.displayName}さん` : relay.requestedBy;
  const by = [from?.name, who].filter(Boolean).join(' ');

  switch (event) {
    case 'requested':
    case 'escalated': {
      // Answered (or ended) before this job ran: no alert to post any more.
      if (relay.status !== 'requested') return;
      const members = await staffOfDepartment(deps.db, to.id);
      const called = event === 'escalated' ? members : members.filter((m) => m.onDuty);
      const mention =
        called.length > 0
          ? called.map((m) => `@${m.displayName}`).join(' ')
          : event === 'escalated'
            ? '@全員'
            : '（当番の方がいません。どなたか対応してください / nobody on duty）';
      const position = (await waitingQueue(deps.db, now, to.id)).find((e) => e.relay.id === relay.id)?.position ?? 1;
      const card = alertCard({
        relayId: relay.id,
        consultationId: c.id,
        consultationType: c.consultationType,
        toDepartment: to.name,
        fromDepartment: from?.name ?? '',
        requester: who,
        note: relay.note,
        waitingMinutes: waiting,
        position,
        escalated: event === 'escalated',
        mention,
      });
      const text = `${event === 'escalated' ? '【再呼び出し】' : '【呼び出し】'}${to.name}へ: 相談 #${c.id}（依頼: ${by}）${relay.note ? ` メモ: ${relay.note}` : ''} ${mention}\n${event === 'escalated' ? 'Alert again' : 'Relay request'} to ${to.name}: consultation #${c.id}.`;
      await toDepartment(deps, to, relay, event === 'escalated' ? 'alert-escalated' : 'alert', {
        text,
        card,
        mentions: event === 'escalated' ? 'all' : called,
      });
      if (event === 'escalated') {
        await toStaff(deps, requester, relay, 'direct', {
          text: `${to.name}からまだ応答がありません（${waiting}分）。このまま待つか、ほかの課へおつなぎするか、やめるかを選んでください。\nNo answer from ${to.name} yet (${waiting} min).`,
          card: optionsCard({
            relayId: relay.id,
            consultationId: c.id,
            toDepartment: to.name,
            why: 'escalated',
            departments: departments.filter((d) => d.id !== to.id).map((d) => d.name),
          }),
        });
      }
      return;
    }
    case 'accepted': {
      await removeAlerts(deps, relay);
      const name = accepter?.displayName ?? relay.acceptedBy ?? '';
      await toDepartment(deps, to, relay, 'relay-status', { text: `✅ ${name}さんが対応中です（相談 #${c.id}）\n${name} is taking consultation #${c.id}.` });
      const m = c.meeting;
      await toStaff(deps, accepter, relay, 'direct', {
        text: [
          `相談 #${c.id} をお願いします。${by}からのおつなぎです。${relay.note ? `メモ: ${relay.note}` : ''}`,
          `日時: ${formatJa(Date.parse(c.start))}（${c.durationMinutes}分） 相談者: ${c.citizen.name} 様`,
          m ? `参加: ${m.joinUrl}\nミーティング番号: ${groupDigits(m.meetingNumber)}  パスワード: ${m.password}` : '会議はまだ準備中です。',
          ...(deps.publicBaseUrl && accepter
            ? [
                `スタッフ画面（相談者の同意・書類）: ${staffLink(deps.publicBaseUrl, await linkKey(deps.db, deps.secretKey ?? null), c.id, accepter.id, deps.clock())}`,
              ]
            : []),
          `Please join consultation #${c.id}${m ? `: ${m.joinUrl} (meeting ${groupDigits(m.meetingNumber)}, password ${m.password})` : ''}.`,
        ].join('\n'),
      });
      await toStaff(deps, requester, relay, 'direct', {
        text: `${to.name}の${name}さんが対応します。まもなく会議に入ります（相談 #${c.id}）。\n${name} (${to.name}) is coming.`,
      });
      return;
    }
    case 'declined': {
      await removeAlerts(deps, relay);
      await toDepartment(deps, to, relay, 'relay-status', { text: `相談 #${c.id} のおつなぎをお断りしました。\nDeclined consultation #${c.id}.` });
      await toStaff(deps, requester, relay, 'direct', {
        text: `${to.name}は今は対応できません（相談 #${c.id}）。ほかの課へおつなぎしてください。\n${to.name} cannot take it now.`,
        card: optionsCard({
          relayId: relay.id,
          consultationId: c.id,
          toDepartment: to.name,
          why: 'declined',
          departments: departments.filter((d) => d.id !== to.id).map((d) => d.name),
        }),
      });
      return;
    }
    case 'cancelled': {
      await removeAlerts(deps, relay);
      await toDepartment(deps, to, relay, 'relay-status', {
        text: `相談 #${c.id} のおつなぎは取り消されました。\nThe relay of consultation #${c.id} was cancelled.`,
      });
      return;
    }
    case 'done': {
      await toDepartment(deps, to, relay, 'relay-status', {
        text: `相談 #${c.id} の対応が終わりました（${accepter?.displayName ?? ''}さん）。\nConsultation #${c.id} done.`,
      });
      await toStaff(deps, requester, relay, 'direct', { text: `${to.name}の対応が終わりました（相談 #${c.id}）。\n${to.name} has finished.` });
      return;
    }
  }
}

/**
 * The citizen did not agree to the consultation's rules in the app: the consultation's department is told in its
 * space (no citizen name in chat), so that someone offers the alternative (phone or the counter).
 */
export async function deliverConsentRefused(deps: NotifyDeps, consultationId: string, consentId: string): Promise<void> {
  const c = await viewById(deps.db, consultationId);
  const department = c ? (await listDepartments(deps.db)).find((d) => d.id === c.department.id) : undefined;
  if (!c || !department) return;
  await toDepartment(deps, department, null, `consent-refused:${consentId}`, {
    text: `⚠️ 相談 #${c.id}（${formatJa(Date.parse(c.start))}）の相談者が、会議内アプリでお約束（録画しない・リンクを渡さない など）に同意しませんでした。オンラインでは相談できないため、電話か窓口での相談をご案内ください。\nThe citizen of consultation #${c.id} did not agree to the rules in the app; please offer a phone call or the counter instead.`,
  });
}

/**
 * A consultation needs a person (the meeting could not be made, the citizen's mail server refused the invitation):
 * the department is told in its chat space, with what went wrong and what to do. Posted once per notice job.
 */
export async function deliverAttentionNotice(deps: NotifyDeps, consultationId: string, noticeId: string): Promise<void> {
  const c = await viewById(deps.db, consultationId);
  const department = c ? (await listDepartments(deps.db)).find((d) => d.id === c.department.id) : undefined;
  if (!c || !department || c.status !== 'needs_attention') return;
  await toDepartment(deps, department, null, `attention:${noticeId}`, {
    // No address in a shared space: the staff view and the API show the full note.
    text: `⚠️ 相談 #${c.id}（${formatJa(Date.parse(c.start))}）は対応が必要です: ${c.statusNote.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '（メールアドレス）')}\n原因を直してから、やり直し（retry）をしてください。\nConsultation #${c.id} needs attention; fix the cause, then retry it.`,
  });
}
