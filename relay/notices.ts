// Tells the people concerned what happened to a relay, on their chat platforms: the alert to the called department
// (the buzzer and the lamp), the join details privately to whoever accepted, and news to the requester. Run by the
// relay's notify job; every post is sent once, even when the job runs again.
import type { NoticeDeps } from '../core/chat.ts';
import { postToDepartmentOnce, removePosts, sendToStaffOnce } from '../core/chat.ts';
import type { Logger } from '../core/log.ts';
import { formatJa, MINUTE_MS } from '../core/time.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { viewById } from '../scheduler/views.ts';
import { groupDigits } from '../templates/liquid.ts';
import { linkKey, staffLink } from '../core/links.ts';
import { alertCard, optionsCard } from './cards.ts';
import { getRelay, waitingQueue } from './store.ts';
import type { RelayNotice } from './state.ts';
import { getStaff, nameBeside, staffOfDepartment } from './staff.ts';
import { getSite } from '../scheduler/sites.ts';

export interface NotifyDeps extends NoticeDeps {
  readonly log: Logger;
  /** For the staff view link given to whoever accepts. */
  readonly publicBaseUrl?: string;
  /** Opens the link-signing key (sealed under SECRET_KEY when one is set). */
  readonly secretKey?: Buffer | null;
}

/** The posts that are the alert itself: taken back once it can no longer be answered. */
const ALERTS = ['alert', 'alert-escalated'];

const notice = (deps: NotifyDeps) => ({ ...deps, warn: (why: string) => deps.log.warn(why) });

export async function deliverRelayEvent(deps: NotifyDeps, relayId: string, event: RelayNotice | 'requested', staffId?: string): Promise<void> {
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
  const site = c.kind === 'walk_in' ? await getSite(deps.db, c.siteId) : null;
  // A call from a branch's counter page has no staff member behind it: the branch is who is calling.
  const who = requester ? `${requester.displayName}さん` : site ? '窓口端末' : relay.requestedBy;
  const by = [site?.name, from?.name, who].filter(Boolean).join(' ');
  const citizen = c.kind === 'walk_in' ? `来庁者${c.citizen.name ? `（${c.citizen.name}）` : ''}` : `${c.citizen.name} 様`;

  switch (event) {
    case 'requested':
    case 'escalated': {
      // Answered (or ended) before this job ran: no alert to post any more.
      if (relay.status !== 'requested') return;
      // Those on duty are called; with nobody on duty (or after an escalation) everyone in the department is.
      const members = await staffOfDepartment(deps.db, to.id);
      const onDuty = members.filter((m) => m.onDuty);
      const called = event === 'escalated' || onDuty.length === 0 ? members : onDuty;
      const nobodyOnDuty = event !== 'escalated' && onDuty.length === 0 ? '（当番の方がいません。どなたか対応してください / nobody on duty）' : '';
      const mention = `${called.length > 0 ? called.map((m) => `@${m.displayName}`).join(' ') : event === 'escalated' ? '@全員' : ''}${nobodyOnDuty}`;
      const position = (await waitingQueue(deps.db, now, to.id)).find((e) => e.relay.id === relay.id)?.position ?? 1;
      const card = alertCard({
        relayId: relay.id,
        consultationId: c.id,
        consultationType: c.kind === 'walk_in' ? `来庁者・${site?.name ?? ''}から` : c.consultationTypeName.ja,
        toDepartment: to.name,
        fromDepartment: [site?.name, from?.name].filter(Boolean).join(' '),
        requester: who,
        note: relay.note,
        waitingMinutes: waiting,
        position,
        escalated: event === 'escalated',
        mention,
      });
      const text = `${event === 'escalated' ? '【再呼び出し】' : '【呼び出し】'}${to.name}へ: 相談 #${c.id}（依頼: ${by}）${relay.note ? ` メモ: ${relay.note}` : ''} ${mention}\n${event === 'escalated' ? 'Alert again' : 'Relay request'} to ${to.name}: consultation #${c.id}.`;
      await postToDepartmentOnce(deps, to, relay.id, event === 'escalated' ? 'alert-escalated' : 'alert', {
        text,
        card,
        mentions: event === 'escalated' ? 'all' : called,
      });
      if (event === 'escalated') {
        await sendToStaffOnce(notice(deps), requester, relay.id, 'escalated-options', {
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
      await removePosts(deps, relay.id, ALERTS);
      const name = accepter?.displayName ?? relay.acceptedBy ?? '';
      const short = nameBeside(accepter?.displayName, to) ?? name;
      await postToDepartmentOnce(deps, to, relay.id, 'status-accepted', {
        text: `✅ ${name}さんが対応中です（相談 #${c.id}）\n${name} is taking consultation #${c.id}.`,
      });
      const m = c.meeting;
      // The meeting may still be being made (a walk-in called a moment ago): the join details follow once it is ready.
      await sendToStaffOnce(notice(deps), accepter, relay.id, m ? 'join-details' : 'join-details-pending', {
        text: [
          `相談 #${c.id} をお願いします。${by}からのおつなぎです。${relay.note ? `メモ: ${relay.note}` : ''}`,
          c.kind === 'walk_in'
            ? `${site?.name ?? ''}の窓口から: ${citizen}（${formatJa(Date.parse(c.start))}から）`
            : `日時: ${formatJa(Date.parse(c.start))}（${c.durationMinutes}分） 相談者: ${citizen}`,
          m
            ? `参加: ${m.joinUrl}\nミーティング番号: ${groupDigits(m.meetingNumber)}  パスワード: ${m.password}`
            : '会議を準備しています。できしだい、参加の情報をお送りします。',
          ...(deps.publicBaseUrl && accepter
            ? [
                `スタッフ画面（相談者の同意・書類）: ${staffLink(deps.publicBaseUrl, await linkKey(deps.db, deps.secretKey ?? null), c.id, accepter.id, deps.clock())}`,
              ]
            : []),
          `Please join consultation #${c.id}${m ? `: ${m.joinUrl} (meeting ${groupDigits(m.meetingNumber)}, password ${m.password})` : ' (the join details follow once its meeting is ready)'}.`,
        ].join('\n'),
      });
      await sendToStaffOnce(notice(deps), requester, relay.id, 'who-is-coming', {
        text: `${to.name}の${short}さんが対応します。まもなく会議に入ります（相談 #${c.id}）。\n${name} (${to.name}) is coming.`,
      });
      return;
    }
    case 'declined': {
      await removePosts(deps, relay.id, ALERTS);
      await postToDepartmentOnce(deps, to, relay.id, 'status-declined', {
        text: `相談 #${c.id} のおつなぎは、皆さんが対応できないため終わりました。\nEveryone alerted declined consultation #${c.id}.`,
      });
      await sendToStaffOnce(notice(deps), requester, relay.id, 'declined-options', {
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
    case 'decline_noted': {
      // One person cannot: the others alerted may still accept, so the alert stays up. The requester hears who said no.
      const decliner = staffId ? await getStaff(deps.db, staffId) : null;
      await sendToStaffOnce(notice(deps), requester, relay.id, `decline-noted:${staffId ?? ''}`, {
        text: `${to.name}の${decliner?.displayName ?? '担当者'}さんは対応できません。ほかの方の応答を待っています（相談 #${c.id}）。
${decliner?.displayName ?? 'Someone'} (${to.name}) cannot take it; waiting for the others.`,
      });
      return;
    }
    case 'cancelled': {
      await removePosts(deps, relay.id, ALERTS);
      await postToDepartmentOnce(deps, to, relay.id, 'status-cancelled', {
        text: `相談 #${c.id} のおつなぎは取り消されました。\nThe relay of consultation #${c.id} was cancelled.`,
      });
      return;
    }
    case 'done': {
      // "対応中" is no longer true: that post is taken back, and the department sees it is over.
      await removePosts(deps, relay.id, ['status-accepted']);
      await postToDepartmentOnce(deps, to, relay.id, 'status-done', {
        text: `相談 #${c.id} の対応が終わりました（${accepter?.displayName ?? ''}さん）。\nConsultation #${c.id} done.`,
      });
      await sendToStaffOnce(notice(deps), requester, relay.id, 'done-news', {
        text: `${to.name}の対応が終わりました（相談 #${c.id}）。\n${to.name} has finished.`,
      });
      return;
    }
  }
}
