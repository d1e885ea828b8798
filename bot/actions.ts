// What a card button does, as data: one entry per verb the bot's cards send (core/cards.ts CardAction).
import type { CardVerb } from '../core/cards.ts';
import { getRelay } from '../relay/store.ts';
import { cancelRelay } from '../relay/store.ts';
import { linkChannelFromOffer } from '../scheduler/departments.ts';
import type { Ctx, Reply } from './context.ts';
import { actorOf, findDepartment, fromProblem, relayDeps, say } from './context.ts';
import { acceptReply, book, declineReply, relayTo } from './replies.ts';
import { callReply } from './walk-in.ts';

/** The button's data and the card's inputs, as strings (anything else is not what our cards send). */
export type ActionInput = (key: string) => string | undefined;

export interface Action {
  readonly verb: CardVerb;
  readonly run: (ctx: Ctx, input: ActionInput) => Promise<Reply>;
}

const action = (verb: CardVerb, run: Action['run']): Action => ({ verb, run });

/**
 * A department's alert channel may be set from chat only by the card the bot posted when it was added to that channel,
 * pressed in that channel, once, and only for a department without a channel yet. Anyone else (another channel, a Webex
 * card, a replayed card, a department already linked) is told that an admin changes it.
 */
async function linkChannel(ctx: Ctx, input: ActionInput): Promise<Reply> {
  const channel = input('channel') ?? '';
  const space = ctx.sender.space ?? '';
  const refused = (why: string) => {
    ctx.deps.log.warn({ staffId: ctx.staff.id, platform: ctx.sender.platform, why }, 'channel link refused');
    return say(
      '課の呼び出し先のチャネルは、管理者が管理画面（課）で変えます。ボットをチャネルに追加したときのカードからは、まだチャネルのない課を一度だけ選べます。',
      'A department’s alert channel is changed by an admin on the admin page (Departments); the card the bot posts when added to a channel links a department without a channel, once.',
    );
  };
  if (ctx.sender.platform !== 'teams' || !channel || space.split(';')[0] !== channel.split(';')[0]) return refused('not from the card’s own channel');
  const dept = findDepartment(ctx, input('department') ?? '', '税務課');
  if (!dept.ok) return dept.reply;
  const linked = await linkChannelFromOffer(ctx.deps.store.db, ctx.deps.ids, ctx.now, {
    channel,
    offer: input('offer') ?? '',
    department: dept.value,
    actor: actorOf(ctx.staff),
  });
  if (linked !== 'linked') return refused(linked);
  return say(
    `このチャネルで${dept.value.name}への呼び出しを受けます。変えるときは管理者に頼んでください。`,
    `Relay alerts for ${dept.value.name} will come to this channel. An admin can change it later.`,
  );
}

const ACTIONS: Record<CardVerb, Action> = {
  accept: action('accept', (ctx, input) => acceptReply(ctx, input('relayId') ?? '')),
  decline: action('decline', (ctx, input) => declineReply(ctx, input('relayId') ?? '')),
  'keep-waiting': action('keep-waiting', async () => say('このままお待ちください。応答があればお知らせします。', 'Keep waiting; you will be told.')),
  'cancel-relay': action('cancel-relay', async (ctx, input) => {
    const r = await cancelRelay(relayDeps(ctx.deps), input('relayId') ?? '', ctx.staff.id);
    if (!r.ok) return fromProblem(r.reason);
    return say('おつなぎをやめました。相談者にお伝えください。', 'Relay cancelled.');
  }),
  reroute: action('reroute', async (ctx, input) => {
    const typed = input('department');
    if (!typed) return say('おつなぎ先の課を選んでください。', 'Choose a department.');
    const relay = await getRelay(ctx.deps.store.db, input('relayId') ?? '');
    if (!relay) return say('このおつなぎは見つかりません。', 'Relay not found.');
    const dept = findDepartment(ctx, typed, '/relay 税務');
    if (!dept.ok) return dept.reply;
    if (relay.status === 'requested') await cancelRelay(relayDeps(ctx.deps), relay.id, ctx.staff.id);
    return relayTo(ctx, relay.consultationId, dept.value, relay.note);
  }),
  relay: action('relay', async (ctx, input) => {
    const dept = findDepartment(ctx, input('department') ?? '', '/relay 税務');
    if (!dept.ok) return dept.reply;
    return relayTo(ctx, input('consultationId') ?? '', dept.value, input('note') ?? '');
  }),
  'link-channel': action('link-channel', linkChannel),
  call: action('call', (ctx, input) =>
    callReply(ctx, {
      department: input('department') ?? '',
      topic: input('topic') ?? '',
      reception: input('reception'),
      device: input('hostId'),
      confirm: input('confirm') === 'yes',
    }),
  ),
  book: action('book', (ctx, input) =>
    book(ctx, {
      // The form's one choice of date and time (「2026-12-02 08:30」); cards sent before had them apart.
      date: input('slot')?.split(' ')[0] ?? input('date'),
      time: input('slot')?.split(' ')[1] ?? input('time'),
      duration: input('duration'),
      name: input('name'),
      email: input('email'),
      department: input('department'),
      topic: input('topic'),
    }),
  ),
};

export function actionFor(verb: unknown): Action | null {
  return typeof verb === 'string' && Object.hasOwn(ACTIONS, verb) ? ACTIONS[verb as CardVerb] : null;
}
