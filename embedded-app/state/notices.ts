// What the department is told from the in-meeting app: the citizen did not agree to the consultation's rules, so
// someone offers the alternative (phone or the counter). No citizen name in a shared space. Sent once per refusal.
import type { NoticeDeps } from '../../core/chat.ts';
import { postToDepartmentOnce } from '../../core/chat.ts';
import { formatJa } from '../../core/time.ts';
import { listDepartments } from '../../scheduler/departments.ts';
import { viewById } from '../../scheduler/views.ts';

export async function deliverConsentRefused(deps: NoticeDeps, consultationId: string, consentId: string): Promise<void> {
  const c = await viewById(deps.db, consultationId);
  const department = c ? (await listDepartments(deps.db)).find((d) => d.id === c.department.id) : undefined;
  if (!c || !department) return;
  await postToDepartmentOnce(deps, department, null, `consent-refused:${consentId}`, {
    text: `⚠️ 相談 #${c.id}（${formatJa(Date.parse(c.start))}）の相談者が、会議内アプリでお約束（録画しない・リンクを渡さない など）に同意しませんでした。オンラインでは相談できないため、電話か窓口での相談をご案内ください。\nThe citizen of consultation #${c.id} did not agree to the rules in the app; please offer a phone call or the counter instead.`,
  });
}
