// What staff are told in their department's chat about a consultation that needs a person (the meeting could not be
// made, the citizen's mail server refused the invitation). Sent once per notice job, through the chat port.
import type { NoticeDeps } from '../core/chat.ts';
import { postToDepartmentOnce } from '../core/chat.ts';
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
