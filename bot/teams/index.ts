// Teams adapter for the staff bot, on @microsoft/teams.apps (loaded only when Teams is configured), its route
// /api/messages on our own server. The SDK validates every request's Bot Framework token (JWKS from
// login.botframework.com); there is no switch to skip it. It only translates; bot/handler.ts decides.
import express from 'express';
import type { Router } from 'express';
import type { ILogger } from '@microsoft/teams.common';
import type { IMessageActivityInput } from '@microsoft/teams.api';
import type { App, HttpMethod, HttpRouteHandler, IHttpServerAdapter } from '@microsoft/teams.apps';
import type { TeamsConfig } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { ChatPlatform, OutgoingChat } from '../../core/chat.ts';
import { listDepartments, offerChannelLink } from '../../scheduler/departments.ts';
import { linkChannelCard } from '../cards.ts';
import type { Reply, Sender } from '../context.ts';
import { handleInbound } from '../handler.ts';
import type { ChatAdapterDeps, ChatAdapterFactory } from '../adapter.ts';

/** Teams puts the bot's mention in the text as <at>name</at>; commands do not need it. */
export function stripMentions(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

function activityOf(message: Reply | OutgoingChat): IMessageActivityInput {
  // Teams mentions: <at>name</at> in the text, and an entity naming who is meant.
  const people = 'mentions' in message && Array.isArray(message.mentions) ? message.mentions.filter((m) => m.platform === 'teams') : [];
  const prefix = people.map((m) => `<at>${m.displayName}</at>`).join(' ');
  return {
    type: 'message',
    text: `${prefix ? `${prefix} ` : ''}${message.text.replace(/\n/g, '\n\n')}`,
    ...(people.length > 0
      ? {
          entities: people.map((m) => ({
            type: 'mention' as const,
            text: `<at>${m.displayName}</at>`,
            mentioned: { id: m.platformUserId, name: m.displayName, role: 'user' as const },
          })),
        }
      : {}),
    ...(message.card ? { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: message.card }] } : {}),
  };
}

/** What we read of an incoming activity (the SDK's types are wider). */
interface ActivityLike {
  id?: string;
  text?: string;
  value?: unknown;
  from: { id: string; name?: string; aadObjectId?: string };
  conversation: { id: string; conversationType?: string; tenantId?: string };
}

/** The SDK's logger, through ours (so that nothing reaches the console, and levels follow LOG_LEVEL). */
function sdkLogger(log: Logger, name = 'teams'): ILogger {
  const l = log.child({ component: name });
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))
      .join(' ')
      .slice(0, 500);
  return {
    debug: (...m: unknown[]) => l.debug(text(m)),
    trace: (...m: unknown[]) => l.trace(text(m)),
    info: (...m: unknown[]) => l.debug(text(m)),
    warn: (...m: unknown[]) => l.warn(text(m)),
    error: (...m: unknown[]) => l.error(text(m)),
    log: (_level: unknown, ...m: unknown[]) => l.debug(text(m)),
    child: (child: string) => sdkLogger(log, `${name}/${child}`),
  };
}

/** The SDK's HTTP routes on an Express router of ours (mounted on the main server). */
function routerAdapter(router: Router): IHttpServerAdapter {
  return {
    registerRoute(method: HttpMethod, path: string, handler: HttpRouteHandler) {
      router[method === 'POST' ? 'post' : 'all'](path, express.json({ limit: '256kb' }), async (req, res) => {
        const answer = await handler({ body: req.body as unknown, headers: req.headers as Record<string, string | string[]> });
        res.status(answer.status);
        if (answer.body === undefined) res.end();
        else res.json(answer.body);
      });
    },
  };
}

/** The Teams side of the chat port: department alerts to a channel, private messages in a 1:1 chat, alerts taken back. */
function teamsPlatform(app: App, config: TeamsConfig, log: Logger): ChatPlatform {
  return {
    kind: 'teams',
    async postToDepartment(department, message) {
      if (!department.teamsChannel) return null;
      const sent = await app.send(department.teamsChannel, activityOf(message));
      return `${department.teamsChannel}|${sent.id}`;
    },
    async sendToStaff(staff, message) {
      if (staff.platform !== 'teams') return null;
      // A 1:1 chat with the staff member (created, or found again, by the connector).
      const conversation = await app.api.conversations.create({
        isGroup: false,
        bot: { id: config.clientId, name: 'madoguchi', role: 'bot' },
        members: [{ id: staff.platformUserId, name: staff.displayName, role: 'user' }],
        tenantId: config.tenantId,
      });
      const sent = await app.send(conversation.id, activityOf(message));
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

/** The Teams chat: one SDK app that receives on /api/messages and sends alerts and messages. */
export const createTeamsChat: ChatAdapterFactory = async (deps: ChatAdapterDeps) => {
  const config = deps.config.teams;
  if (!config) return null;
  // The SDK takes a second to load: only a server that uses Teams pays for it.
  const { App } = await import('@microsoft/teams.apps');
  const router = express.Router();
  const app = new App({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    tenantId: config.tenantId,
    // Token validation stays on whatever the environment says (the SDK would read DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS).
    dangerouslyAllowUnauthenticatedRequests: false,
    logger: sdkLogger(deps.log),
    httpServerAdapter: routerAdapter(router),
  });

  const senderOf = (a: ActivityLike): Sender => ({
    platform: 'teams',
    userId: a.from.aadObjectId ?? a.from.id,
    displayName: a.from.name ?? a.from.id,
    direct: a.conversation.conversationType === 'personal',
    space: a.conversation.id,
    ...(a.conversation.tenantId ? { tenantId: a.conversation.tenantId } : {}),
  });

  app.on('message', async ({ activity, send }) => {
    const a = activity as ActivityLike;
    try {
      const outcome = await handleInbound(deps, deps.policy, {
        platform: 'teams',
        deliveryId: a.id ?? null,
        read: async () =>
          a.value && typeof a.value === 'object'
            ? { sender: senderOf(a), action: a.value as Record<string, unknown> }
            : { sender: senderOf(a), text: stripMentions(a.text ?? '') },
      });
      if (outcome.kind === 'reply' || outcome.kind === 'not_staff') await send(activityOf(outcome.reply));
    } catch (error) {
      deps.log.error({ err: error instanceof Error ? error.message : String(error) }, 'teams message failed');
      await send({ type: 'message', text: '処理中に問題が起きました。もう一度お試しください。\n\nSomething went wrong; please try again.' });
    }
  });

  // Added to a team's channel: the card asks which department's alerts come here (one-time, for that channel only).
  app.on('install.add', async ({ activity, send }) => {
    const a = activity as ActivityLike;
    if (a.conversation.conversationType !== 'channel') return;
    if (a.conversation.tenantId && a.conversation.tenantId !== config.tenantId) return;
    const departments = (await listDepartments(deps.store.db)).filter((d) => !d.teamsChannel).map((d) => d.name);
    const offer = await offerChannelLink(deps.store.db, deps.clock(), a.conversation.id);
    await send(
      activityOf({
        text: 'このチャネルで受ける呼び出しの課を選んでください。\nChoose the department for this channel.',
        card: linkChannelCard({ channel: a.conversation.id.split(';')[0]!, offer, departments }),
      }),
    );
  });

  await app.initialize();
  return { platform: teamsPlatform(app, config, deps.log), mount: { path: '/', router } };
};
