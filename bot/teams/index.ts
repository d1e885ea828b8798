// Teams adapter for the staff bot, on @microsoft/teams.apps mounted on our own HTTP server at /api/messages.
// The SDK validates every request's Bot Framework token (JWKS from login.botframework.com); there is no switch to skip it.
import type { Router } from 'express';
import { App, ExpressAdapter } from '@microsoft/teams.apps';
import type { TeamsConfig } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { ChatPlatform, OutgoingChat } from '../chat.ts';
import type { BotDeps, Reply, Sender } from '../core.ts';
import { handleAction, handleMessage } from '../core.ts';
import { linkChannelCard } from '../cards.ts';
import { offerChannelLink } from '../channel-links.ts';
import { listDepartments } from '../../core/departments.ts';

/** Teams puts the bot's mention in the text as <at>name</at>; commands do not need it. */
export function stripMentions(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

function activityOf(message: Reply | OutgoingChat) {
  // Teams mentions: <at>name</at> in the text, and an entity naming who is meant.
  const people = 'mentions' in message && Array.isArray(message.mentions) ? message.mentions.filter((m) => m.platform === 'teams') : [];
  const prefix = people.map((m) => `<at>${m.displayName}</at>`).join(' ');
  return {
    type: 'message' as const,
    text: `${prefix ? `${prefix} ` : ''}${message.text.replace(/\n/g, '\n\n')}`,
    ...(people.length > 0
      ? { entities: people.map((m) => ({ type: 'mention', text: `<at>${m.displayName}</at>`, mentioned: { id: m.platformUserId, name: m.displayName } })) }
      : {}),
    ...(message.card ? { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: message.card }] } : {}),
  };
}

interface ActivityLike {
  text?: string;
  value?: unknown;
  from: { id: string; name?: string; aadObjectId?: string };
  conversation: { id: string; conversationType?: string; tenantId?: string };
}

/** The SDK's logger, through ours (so that nothing reaches the console, and levels follow LOG_LEVEL). */
function sdkLogger(log: Logger, name = 'teams'): never {
  const l = log.child({ component: name });
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))
      .join(' ')
      .slice(0, 500);
  const logger = {
    debug: (...m: unknown[]) => l.debug(text(m)),
    trace: (...m: unknown[]) => l.trace(text(m)),
    info: (...m: unknown[]) => l.debug(text(m)),
    warn: (...m: unknown[]) => l.warn(text(m)),
    error: (...m: unknown[]) => l.error(text(m)),
    log: (_level: unknown, ...m: unknown[]) => l.debug(text(m)),
    child: (child: string) => sdkLogger(log, `${name}/${child}`),
  };
  return logger as never;
}

// Token validation stays on whatever the environment says (the SDK would read DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS).
const credentials = (config: TeamsConfig) => ({
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  tenantId: config.tenantId,
  dangerouslyAllowUnauthenticatedRequests: false,
});

/** The Teams side of the chat port: department alerts to a channel, private messages in a 1:1 chat, alerts taken back. */
export function teamsPlatform(app: App, config: TeamsConfig, log: Logger): ChatPlatform {
  return {
    kind: 'teams',
    async postToDepartment(department, message) {
      if (!department.teamsChannel) return null;
      const sent = await app.send(department.teamsChannel, activityOf(message) as never);
      return `${department.teamsChannel}|${sent.id}`;
    },
    async sendToStaff(staff, message) {
      if (staff.platform !== 'teams') return null;
      // A 1:1 chat with the staff member (created, or found again, by the connector).
      const conversation = (await app.api.conversations.create({
        isGroup: false,
        bot: { id: config.clientId, name: 'madoguchi' },
        members: [{ id: staff.platformUserId, name: staff.displayName, role: 'user' }],
        tenantId: config.tenantId,
      } as never)) as { id: string };
      const sent = await app.send(conversation.id, activityOf(message) as never);
      return `${conversation.id}|${sent.id}`;
    },
    async remove(messageId) {
      const [conversationId, activityId] = messageId.split('|');
      if (!conversationId || !activityId) return;
      try {
        await app.api.conversations.activities(conversationId).delete(activityId);
      } catch (error) {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'teams alert could not be removed');
      }
    },
  };
}

/** A sender only (no routes): what the outbox worker uses to deliver relay alerts to Teams; made on first use. */
export async function createTeamsSender(config: TeamsConfig, log: Logger): Promise<ChatPlatform> {
  let ready: Promise<ChatPlatform> | null = null;
  const platform = () =>
    (ready ??= (async () => {
      const app = new App({ ...credentials(config), logger: sdkLogger(log) });
      await app.initialize();
      return teamsPlatform(app, config, log);
    })().catch((error: unknown) => {
      ready = null;
      throw error;
    }));
  return {
    kind: 'teams',
    postToDepartment: async (department, message) => (department.teamsChannel ? (await platform()).postToDepartment(department, message) : null),
    sendToStaff: async (staff, message) => (staff.platform === 'teams' ? (await platform()).sendToStaff(staff, message) : null),
    remove: async (messageId) => (await platform()).remove(messageId),
  };
}

/** Registers /api/messages on `router` (mounted on the main server): staff messages and card actions in, replies out. */
export async function mountTeamsBot(router: Router, config: TeamsConfig, deps: BotDeps, log: Logger): Promise<App> {
  const app = new App({
    ...credentials(config),
    logger: sdkLogger(log),
    // The adapter only registers routes; the Router is mounted on our server.
    httpServerAdapter: new ExpressAdapter(router as never),
  });

  const senderOf = (a: ActivityLike): Sender => ({
    platform: 'teams',
    userId: a.from.aadObjectId ?? a.from.id,
    displayName: a.from.name ?? a.from.id,
    direct: a.conversation.conversationType === 'personal',
    space: a.conversation.id,
  });

  app.on('message', async ({ activity, send }) => {
    const a = activity as unknown as ActivityLike;
    // Only the city's own tenant: a valid Bot Framework token from another organisation is not staff.
    if (a.conversation.tenantId && a.conversation.tenantId !== config.tenantId) {
      log.warn({ tenant: a.conversation.tenantId }, 'teams message from another tenant ignored');
      await send({ type: 'message', text: 'このボットは市の職員専用です。\nThis bot is for city staff only.' } as never);
      return;
    }
    try {
      const answer =
        a.value && typeof a.value === 'object'
          ? await handleAction(deps, senderOf(a), a.value as Record<string, unknown>)
          : await handleMessage(deps, senderOf(a), stripMentions(a.text ?? ''));
      await send(activityOf(answer) as never);
    } catch (error) {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'teams message failed');
      await send({ type: 'message', text: '処理中に問題が起きました。もう一度お試しください。\nSomething went wrong; please try again.' } as never);
    }
  });

  // Added to a team's channel: keep the channel as a department's alert destination (the card asks which one).
  app.on('install.add', async ({ activity, send }) => {
    const a = activity as unknown as ActivityLike;
    if (a.conversation.conversationType === 'channel') {
      if (a.conversation.tenantId && a.conversation.tenantId !== config.tenantId) return;
      const departments = (await listDepartments(deps.store.db)).map((d) => d.name);
      const offer = await offerChannelLink(deps.store.db, deps.clock(), 'teams', a.conversation.id);
      await send(
        activityOf({
          text: 'このチャネルで受ける呼び出しの課を選んでください。\nChoose the department for this channel.',
          card: linkChannelCard({ channel: a.conversation.id, offer, departments }),
        }) as never,
      );
    }
  });

  await app.initialize();
  return app;
}
