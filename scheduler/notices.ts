// What staff are told in their department's chat about a consultation that needs a person (the meeting could not be
// made, the citizen's mail server refused the invitation). Sent once per notice job, through the chat port.
import type { ChatPlatformKind, NoticeDeps } from '../core/chat.ts';
import { postToDepartmentOnce, sendToStaffOnce } from '../core/chat.ts';
import { formatJa } from '../core/time.ts';
import { listDepartments } from './departments.ts';
import { viewById } from './views.ts';

/** Email addresses are not posted in a shared space: the staff view and the API show the full note. */
const withoutAddresses = (text: string) => text.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '（メールアドレス）');

export async function deliverAttentionNotice(deps: NoticeDeps, consultationId: string, noticeId: string): Promise<void> {
  const c = await viewById(deps.db, consultationId);
  const department = c ? (await listDepartments(deps.db)).find((d) => d.id === c.department.id) : undefined;
  if (!c || !department || c.status !== 'needs_attention') return;
  await postToDepartmentOnce(deps, department, null, `attention:${noticeId}`, {
    text: `⚠️ 相談 #${c.id}（${formatJa(Date.parse(c.start))}）は対応が必要です: ${withoutAddresses(c.statusNote)}\n原因を直してから、やり直し（retry）をしてください。\nConsultation #${c.id} needs attention; fix the cause, then retry it.`,
  });
}

/**
 * A consultation that is still going on could not be extended: the next booking of its host starts soon. Whoever
 * started it (a branch's walk-in) and its department are told once per time it was last moved.
 */
export async function deliverOverrunNotice(
  deps: NoticeDeps & { readonly warn: (why: string) => void },
  consultationId: string,
  next: { readonly id: string | null; readonly start: number },
): Promise<void> {
  const c = await viewById(deps.db, consultationId);
  if (!c || c.status === 'completed' || c.status === 'cancelled') return;
  const department = (await listDepartments(deps.db)).find((d) => d.id === c.department.id);
  const text = `⏰ 相談 #${c.id} は続いていますが、同じアカウントで ${formatJa(next.start)} から次の相談${next.id ? ` #${next.id}` : ''}があるため、これ以上延長できません。次の相談をほかのアカウントへ移すか（/move）、区切りのよいところで終えてください（/done #${c.id}）。\nConsultation #${c.id} cannot be extended: the next one on its host starts at ${formatJa(next.start)}.`;
  const purpose = `overrun:${c.scheduleVersion}`;
  const starter = /^staff:([^:]+):/.exec(c.bookedBy)?.[1];
  const row = starter ? await deps.db.selectFrom('staff').selectAll().where('id', '=', starter).executeTakeFirst() : undefined;
  if (row) {
    await sendToStaffOnce(
      deps,
      { id: row.id, displayName: row.display_name, platform: row.platform as ChatPlatformKind, platformUserId: row.platform_user_id },
      null,
      `${purpose}:${c.id}`,
      { text },
    );
  }
  if (department) await postToDepartmentOnce(deps, department, null, `${purpose}:${c.id}`, { text });
}
