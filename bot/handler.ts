// The one transport-free handler: every chat platform turns what it received into an InboundEvent, and gets back
// what to answer. Here, for every platform alike: a redelivery is dropped, the sender is checked to be city staff, the
// command or card button is dispatched, and the answer is never silence.
import type { ChatPlatformKind } from '../core/chat.ts';
import { firstDelivery, forgetDelivery } from '../core/chat.ts';
import { actionFor } from './actions.ts';
import { COMMANDS } from './commands.ts';
import type { BotDeps, Reply, Sender } from './context.ts';
import { contextOf, failed, say } from './context.ts';
import { parseCommand } from './parse.ts';

/** What a delivery says, once the adapter has read it from its platform. */
export interface Received {
  readonly sender: Sender;
  /** A message… */
  readonly text?: string;
  /** …or a card button: its data with the card's inputs. */
  readonly action?: Record<string, unknown>;
  /** The bot's own name, where the platform leaves it in the text of a group space. */
  readonly botName?: string;
}

/** One delivery from a platform: checked for a repeat first, then read (which may call the platform). */
export interface Delivery {
  readonly platform: ChatPlatformKind;
  /** Unique per delivery on its platform (a webhook's data id, an activity id); a repeat of it is dropped. */
  readonly deliveryId: string | null;
  /** What it says; null when there is nothing to answer (the bot's own message). */
  read(): Promise<Received | null>;
}

/** Who may use the bot, by platform (from the configuration). */
export interface StaffPolicy {
  /** Webex: anyone can message a bot, so only these email domains are served. */
  readonly webexDomains: ReadonlyArray<string>;
  /** Teams: a valid token from another organisation is not staff. */
  readonly teamsTenant: string | null;
}

export type Outcome =
  | { readonly kind: 'reply'; readonly reply: Reply }
  | { readonly kind: 'not_staff'; readonly reply: Reply }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'nothing' };

const NOT_STAFF: Reply = { text: 'このボットは市の職員専用です。\nThis bot is for city staff only.' };

function isStaff(policy: StaffPolicy, s: Sender): boolean {
  switch (s.platform) {
    case 'webex': {
      const domain = (s.email ?? '').toLowerCase().split('@')[1] ?? '';
      return domain !== '' && policy.webexDomains.includes(domain);
    }
    case 'teams':
      return !s.tenantId || s.tenantId === policy.teamsTenant;
    case 'console':
      // The console's page is for admins signed in (bot/console).
      return true;
  }
}

/**
 * Handles one delivery. A failure that the platform should deliver again (the store was unreachable) is thrown after
 * the delivery is forgotten, so that the repeat is handled in full.
 */
export async function handleInbound(deps: BotDeps, policy: StaffPolicy, delivery: Delivery): Promise<Outcome> {
  if (delivery.deliveryId && !(await firstDelivery(deps.store.db, delivery.platform, delivery.deliveryId, deps.clock()))) return { kind: 'duplicate' };
  try {
    const event = await delivery.read();
    if (!event) return { kind: 'nothing' };
    if (!isStaff(policy, event.sender)) {
      deps.log.warn({ platform: delivery.platform }, 'chat message from someone who is not city staff refused');
      return { kind: 'not_staff', reply: NOT_STAFF };
    }
    const reply = event.action
      ? await handleAction(deps, event.sender, event.action)
      : await handleMessage(deps, event.sender, event.text ?? '', event.botName);
    return { kind: 'reply', reply };
  } catch (error) {
    if (delivery.deliveryId) await forgetDelivery(deps.store.db, delivery.platform, delivery.deliveryId);
    throw error;
  }
}

/** One chat message from a staff member → the reply. Never throws for bad input; never silent. */
export async function handleMessage(deps: BotDeps, sender: Sender, text: string, botName?: string): Promise<Reply> {
  const parsed = parseCommand(text, botName);
  if (!parsed.ok) {
    if (parsed.reason === 'empty') return say('コマンドを入れてください。/help で一覧を出します。', 'Type a command; /help lists them.');
    const hint = parsed.suggestions.length > 0 ? parsed.suggestions.map((s) => `/${s}`).join(' ') : '';
    return say(
      `「${parsed.word}」というコマンドはありません。${hint ? `もしかして: ${hint}` : '/help で一覧を出します。'}`,
      `Unknown command "${parsed.word}".${hint ? ` Did you mean ${hint}?` : ' Try /help.'}`,
    );
  }
  const command = COMMANDS[parsed.command];
  try {
    const ctx = await contextOf(deps, sender);
    const input = command.parse({ args: parsed.args, rest: parsed.rest, now: ctx.now });
    if (!input.ok) return input.reply;
    return await command.run(ctx, input.value);
  } catch (error) {
    return failed(deps, error, command.name);
  }
}

/** A card button (Action.Submit data, with the card's inputs) → the reply. */
export async function handleAction(deps: BotDeps, sender: Sender, data: Record<string, unknown>): Promise<Reply> {
  const action = actionFor(data.verb);
  if (!action) return say('このボタンは古いか、読み取れません。/help をお試しください。', 'This button is unknown or outdated; try /help.');
  try {
    const input = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
    return await action.run(await contextOf(deps, sender), input);
  } catch (error) {
    return failed(deps, error, `action:${action.verb}`);
  }
}
