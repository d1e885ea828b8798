// What every command and card action works with: who is asking (their staff row, made on first contact), when, the
// departments, and how to answer (Japanese first, then English). Transport-free.
import type { Problem } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Card } from '../core/cards.ts';
import type { ChatPlatformKind } from '../core/chat.ts';
import type { Department } from '../scheduler/departments.ts';
import { listDepartments, matchDepartment } from '../scheduler/departments.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import type { RelayDeps } from '../relay/store.ts';
import { relayDepsOf } from '../relay/store.ts';
import type { Staff } from '../relay/staff.ts';
import { staffFor } from '../relay/staff.ts';

export interface BotDeps extends SchedulerDeps {
  readonly log: Logger;
}

/** Who sent a message or pressed a card button, as the platform says. */
export interface Sender {
  readonly platform: ChatPlatformKind;
  readonly userId: string;
  readonly displayName: string;
  readonly email?: string;
  /** False when the message came from a shared space or channel (links that act as the sender are not posted there). */
  readonly direct?: boolean;
  /** The space, room or channel the message or card action came from, as the platform names it. */
  readonly space?: string;
  /** Teams: the organisation (tenant) the sender belongs to. */
  readonly tenantId?: string;
}

export interface Reply {
  /** Japanese first, then English. */
  readonly text: string;
  readonly card?: Card;
}

export interface Ctx {
  readonly deps: BotDeps;
  readonly sender: Sender;
  readonly staff: Staff;
  readonly now: number;
  readonly departments: Department[];
  /** The conversation is one-to-one with the bot. */
  readonly direct: boolean;
}

export const say = (ja: string, en: string, card?: Card): Reply => ({ text: `${ja}\n${en}`, ...(card ? { card } : {}) });
export const fromProblem = (p: Problem, example?: string): Reply => say(`${p.message.ja}${example ? `\n例: ${example}` : ''}`, p.message.en);
export const relayDeps = (d: BotDeps): RelayDeps => relayDepsOf({ ...d, db: d.store.db });
export const actorOf = (s: Staff) => `staff:${s.id}:${s.displayName}`;

export type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };

export function findDepartment(ctx: Ctx, typed: string, example: string): Found<Department> {
  const m = matchDepartment(ctx.departments, typed);
  if (m.ok) return m;
  const names = (m.reason.suggestions.length > 0 ? m.reason.suggestions : ctx.departments).map((d) => d.name);
  return {
    ok: false,
    reply: say(
      `「${typed}」という課は見つかりません。${m.reason.suggestions.length > 0 ? 'もしかして' : '課の一覧'}: ${names.join('、')}\n例: ${example}`,
      `No department "${typed}". ${m.reason.suggestions.length > 0 ? 'Did you mean' : 'Departments'}: ${names.join(', ')}`,
    ),
  };
}

export async function contextOf(deps: BotDeps, sender: Sender): Promise<Ctx> {
  const now = deps.clock();
  const staff = await staffFor(deps.store.db, deps.ids, now, {
    platform: sender.platform,
    userId: sender.userId,
    displayName: sender.displayName,
    ...(sender.email ? { email: sender.email } : {}),
  });
  return { deps, sender, staff, now, departments: await listDepartments(deps.store.db), direct: sender.direct !== false };
}

/** Something failed that the person cannot fix: logged once, and they are told to try again (never silence). */
export function failed(deps: BotDeps, error: unknown, what: string): Reply {
  deps.log.error({ err: error instanceof Error ? error.message : String(error), command: what }, 'bot command failed');
  return say(
    '処理中に問題が起きました。少し待ってからもう一度お試しください。続く場合は管理者に連絡してください。',
    'Something went wrong; please try again shortly.',
  );
}
