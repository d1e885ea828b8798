// A stand-in for the Microsoft Teams client that hosts a tab: an HTML page that loads the app in an iframe
// and answers the real @microsoft/teams-js (v2.x) over postMessage, so that in a real browser
// `await app.initialize()` resolves (frame context 'sidePanel', host client type 'web' by default),
// `app.getContext()` returns the context we chose, and every message the app sends (notifySuccess…)
// is recorded in `window.__teamsCalls`.
//
// The protocol (read from node_modules/@microsoft/teams-js/dist/esm/packages/teams-js/src/internal):
//   app -> host   window.parent.postMessage({ id, uuidAsString, func, args, apiVersionTag, timestamp,
//                 monotonicTimestamp, isProxiedFromChild, teamsJsInstanceId }, targetOrigin)
//                 (a structured-clone object, not a string). 'initialize' goes out with targetOrigin '*'
//                 and args [sdkVersion, 4 (runtime API version), validMessageOrigins?]; every later
//                 message is queued until the first accepted reply and then sent to the host's origin.
//   host -> app   reply:  { id, uuidAsString, args: [...] }   (matched on uuidAsString, else on id;
//                 the object must not be a string, and `id` must be a number)
//                 event:  { func: 'themeChange' | 'contextChange' | 'settings.save' | ..., args: [...] }
//                 (no numeric id, otherwise it is taken for a reply)
//   'initialize'  reply args [frameContext, hostClientType, runtimeConfig (a JSON string with
//                 apiVersion, normally 4, and `supports`), clientSupportedSDKVersion].
//   'getContext'  reply args [context], where context is the legacy flat shape (meetingId, chatId,
//                 locale, userObjectId, tid, entityId…) that app.getContext() turns into the nested one.
//   notifySuccess sends 'appInitialization.success' with args [sdkVersion]; it is one-way unless the
//                 runtime has supports.app.notifySuccessResponse, then it waits for a reply (we always send
//                 one; an unexpected reply is ignored by the SDK).
//   The SDK drops replies whose event.origin is neither the app's own origin nor an https origin on its
//   list (teams.microsoft.com, *.cloud.microsoft, outlook.office.com…, plus validMessageOrigins given to
//   app.initialize). At load it also fetches an updated list from https://res.cdn.office.net/teams-js/
//   validDomains/json/validDomains.json (1.5 s timeout, falls back to the built-in list). openInTeamsHost()
//   serves the host page at https://teams.microsoft.com via page.route, and answers that CDN request with
//   a list that contains the host origin, so another https host URL works too (and no test hits the CDN).
import type { Page } from 'playwright-core';
import { serveHostPage } from './browser.ts';

/** The user as app.getContext() shows it. */
export interface TeamsHostUser {
  id?: string;
  displayName?: string;
  userPrincipalName?: string;
  loginHint?: string;
  licenseType?: string;
  tenant?: { id: string; teamsSku?: string } | null;
}

/** The context to give the app, in the (nested) shape app.getContext() returns; all optional. */
export interface TeamsHostContext {
  meeting?: { id: string } | null;
  chat?: { id: string } | null;
  channel?: { id: string; displayName?: string; relativeUrl?: string; membershipType?: string } | null;
  team?: { internalId: string; displayName?: string; groupId?: string } | null;
  app?: {
    locale?: string;
    theme?: string;
    sessionId?: string;
    /** A valid Teams app id (5–255 printable characters). */
    id?: string;
    host?: { name?: string; clientType?: string; sessionId?: string; ringId?: string };
  };
  page?: { id?: string; subPageId?: string; frameContext?: string; isFullScreen?: boolean };
  /** undefined: a signed-in test user; null: an anonymous meeting guest (no user id, no tenant). */
  user?: TeamsHostUser | null;
  /** Raw fields of the legacy flat context, merged last (e.g. { userLicenseType: 'Anonymous' }). */
  legacy?: Record<string, unknown>;
}

export interface TeamsHostOptions {
  appUrl: string;
  context: TeamsHostContext;
  /** Frame context reported by initialize (default 'sidePanel', the meeting side panel). 'settings' for a config page. */
  frameContext?: string;
  /** Host client type reported by initialize (default 'web'). */
  hostClientType?: string;
  /** Shallow overrides of the runtime config sent with initialize (apiVersion, supports, hostVersionsInfo…). */
  runtime?: Record<string, unknown>;
  /** 4th initialize reply argument (default '2.58.0'). */
  clientSupportedSDKVersion?: string;
  /** func -> reply args, replacing the built-in answer; null means never answer that func. */
  replies?: Record<string, unknown[] | null>;
  /** Initial answer of pages.getConfig() ('settings.getSettings'); setConfig() replaces it. */
  settings?: Record<string, unknown>;
}

/** One recorded message from the app. */
export interface TeamsCall {
  func: string;
  args: unknown[];
  id: number;
  uuid: string | undefined;
  apiVersionTag: string | undefined;
  origin: string;
  /** Whether the host replied to it. */
  answered: boolean;
  at: number;
}

/** Where openInTeamsHost serves the host page: an origin on teams-js's built-in list of valid origins. */
export const TEAMS_HOST_URL = 'https://teams.microsoft.com/test-host';

/** The list of valid origins teams-js fetches at load. */
export const TEAMS_VALID_ORIGINS_URL = 'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';

const DEFAULT_USER: TeamsHostUser = {
  id: '6f1c2b0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
  displayName: 'Test User',
  userPrincipalName: 'tester@example.com',
  loginHint: 'tester@example.com',
  licenseType: 'Unknown',
  tenant: { id: '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6' },
};

/** The flat context the host sends; app.getContext() maps it onto app.Context (see public/app/app.js). */
export function legacyTeamsContext(ctx: TeamsHostContext, frameContext = 'sidePanel', hostClientType = 'web'): Record<string, unknown> {
  const out: Record<string, unknown> = {
    locale: ctx.app?.locale ?? 'en-us',
    theme: ctx.app?.theme ?? 'default',
    appSessionId: ctx.app?.sessionId ?? 'a1b2c3d4-0000-4000-8000-000000000a99',
    hostName: ctx.app?.host?.name ?? 'Teams',
    hostClientType: ctx.app?.host?.clientType ?? hostClientType,
    sessionId: ctx.app?.host?.sessionId ?? 'b1c2d3e4-0000-4000-8000-000000000b99',
    ringId: ctx.app?.host?.ringId ?? 'general',
    entityId: ctx.page?.id ?? 'test-tab',
    frameContext: ctx.page?.frameContext ?? frameContext,
    isFullScreen: ctx.page?.isFullScreen ?? false,
    isMultiWindow: false,
  };
  if (ctx.app?.id) out.appId = ctx.app.id;
  if (ctx.page?.subPageId !== undefined) out.subEntityId = ctx.page.subPageId;
  if (ctx.meeting) out.meetingId = ctx.meeting.id;
  if (ctx.chat) out.chatId = ctx.chat.id;
  if (ctx.channel) {
    out.channelId = ctx.channel.id;
    if (ctx.channel.displayName !== undefined) out.channelName = ctx.channel.displayName;
    if (ctx.channel.relativeUrl !== undefined) out.channelRelativeUrl = ctx.channel.relativeUrl;
    if (ctx.channel.membershipType !== undefined) out.channelType = ctx.channel.membershipType;
  }
  if (ctx.team) {
    out.teamId = ctx.team.internalId;
    if (ctx.team.displayName !== undefined) out.teamName = ctx.team.displayName;
    if (ctx.team.groupId !== undefined) out.groupId = ctx.team.groupId;
  }
  if (ctx.user !== null) {
    const u: TeamsHostUser = ctx.user === undefined ? DEFAULT_USER : ctx.user;
    if (u.id !== undefined) out.userObjectId = u.id;
    if (u.displayName !== undefined) out.userDisplayName = u.displayName;
    if (u.userPrincipalName !== undefined) out.userPrincipalName = u.userPrincipalName;
    if (u.loginHint !== undefined) out.loginHint = u.loginHint;
    if (u.licenseType !== undefined) out.userLicenseType = u.licenseType;
    if (u.tenant) {
      out.tid = u.tenant.id;
      if (u.tenant.teamsSku !== undefined) out.tenantSKU = u.tenant.teamsSku;
    }
  }
  return { ...out, ...ctx.legacy };
}

function defaultRuntime(): Record<string, unknown> {
  return {
    apiVersion: 4,
    isLegacyTeams: false,
    hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
    supports: {
      appEntity: {},
      appInstallDialog: {},
      call: {},
      chat: {},
      conversations: {},
      dialog: { card: { bot: {} }, url: { bot: {}, parentCommunication: {} }, update: {} },
      interactive: {},
      logs: {},
      meeting: {},
      meetingRoom: {},
      menus: {},
      monetization: {},
      notifications: {},
      pages: { appButton: {}, backStack: {}, config: {}, currentApp: {}, fullTrust: {}, tabs: {} },
      people: {},
      profile: {},
      remoteCamera: {},
      sharing: {},
      stageView: {},
      teams: { fullTrust: { joinedTeams: {} } },
      teamsCore: {},
      video: { sharedFrame: {} },
    },
  };
}

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/** An unsigned token, for authentication.getAuthToken() of a signed-in user. */
function fakeAadToken(legacy: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: 'api://test',
    tid: legacy.tid,
    oid: legacy.userObjectId,
    name: legacy.userDisplayName,
    preferred_username: legacy.userPrincipalName,
    iat: now,
    exp: now + 3600,
  };
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}.`;
}

export function teamsHostPage(opts: TeamsHostOptions): string {
  const frameContext = opts.frameContext ?? 'sidePanel';
  const hostClientType = opts.hostClientType ?? 'web';
  const context = legacyTeamsContext(opts.context, frameContext, hostClientType);
  const runtime = { ...defaultRuntime(), ...opts.runtime };
  const signedIn = typeof context.userObjectId === 'string' && context.userObjectId !== '';
  const cfg = {
    appUrl: opts.appUrl,
    frameContext,
    hostClientType,
    runtime: JSON.stringify(runtime),
    clientSupportedSDKVersion: opts.clientSupportedSDKVersion ?? '2.58.0',
    context,
    settings: opts.settings ?? { entityId: context.entityId, contentUrl: opts.appUrl, websiteUrl: opts.appUrl, suggestedDisplayName: 'Test tab' },
    authToken: signedIn ? [true, fakeAadToken(context)] : [false, 'useGetAuthToken: Failed with error - User is not authenticated'],
    replies: opts.replies ?? {},
  };
  const json = JSON.stringify(cfg).replace(/</g, '\\u003c');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Teams host (test)</title>
<style>html,body{margin:0;height:100%;overflow:hidden}#app{display:block;border:0;width:100%;height:100%}</style>
</head>
<body>
<iframe id="app" title="Tab" allow="camera; microphone; display-capture; clipboard-read; clipboard-write; fullscreen"></iframe>
<script>
(function () {
  'use strict';
  var CFG = ${json};
  var calls = (window.__teamsCalls = []);
  var frame = document.getElementById('app');
  var appOrigin = new URL(CFG.appUrl, location.href).origin;
  var NO_REPLY = {}; // marker: one-way message

  function clone(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }

  // Built-in answers: reply args by func. Funcs not listed (and not in CFG.replies) get no reply.
  function answer(func, args) {
    if (Object.prototype.hasOwnProperty.call(CFG.replies, func)) return CFG.replies[func] === null ? NO_REPLY : clone(CFG.replies[func]);
    switch (func) {
      case 'initialize': return [CFG.frameContext, CFG.hostClientType, CFG.runtime, CFG.clientSupportedSDKVersion];
      case 'getContext': return [clone(CFG.context)];
      case 'appInitialization.success': return []; // awaited only with supports.app.notifySuccessResponse
      case 'authentication.getAuthToken': return clone(CFG.authToken);
      case 'settings.getSettings': return [clone(CFG.settings)];
      case 'settings.setSettings': CFG.settings = clone(args[0]) || {}; return [true];
      case 'meeting.getMeetingDetails': return [null, { details: { id: CFG.context.meetingId, type: 'Scheduled', title: 'Test meeting' }, conversation: { id: CFG.context.chatId } }];
      case 'meeting.getAuthenticationTokenForAnonymousUser': return [null, 'test-anonymous-token'];
      case 'meeting.getAppContentStageSharingCapabilities': return [null, { doesAppHaveSharePermission: true }];
      case 'meeting.getAppContentStageSharingState': return [null, { isAppSharing: false }];
      case 'meeting.shareAppContentToStage':
      case 'meeting.stopSharingAppContentToStage':
      case 'meeting.getIncomingClientAudioState': return [null, true];
      default: return NO_REPLY; // appLoaded, failure, registerHandler, settings.setValidityState, ...
    }
  }

  function post(target, msg) {
    setTimeout(function () { target.postMessage(msg, '*'); }, 0);
  }

  window.addEventListener('message', function (e) {
    var m = e.data;
    if (!m || typeof m !== 'object' || typeof m.func !== 'string' || typeof m.id !== 'number') return;
    var args = Array.isArray(m.args) ? m.args : [];
    var call = { func: m.func, args: clone(args), id: m.id, uuid: m.uuidAsString, apiVersionTag: m.apiVersionTag, origin: e.origin, answered: false, at: Date.now() };
    calls.push(call);
    var res = answer(m.func, args);
    if (res === NO_REPLY || !e.source) return;
    call.answered = true;
    post(e.source, { id: m.id, uuidAsString: m.uuidAsString, args: res, timestamp: Date.now() });
  });

  // For tests: push events ('themeChange', 'contextChange', 'settings.save', 'meeting.raiseHandStateChanged', ...)
  // and change what later calls get.
  window.__teamsHost = {
    emit: function (func, args) { post(frame.contentWindow, { func: func, args: args || [] }); },
    setContext: function (patch) { for (var k in patch) { if (patch[k] === undefined) delete CFG.context[k]; else CFG.context[k] = patch[k]; } },
    setReply: function (func, args) { if (args === undefined) delete CFG.replies[func]; else CFG.replies[func] = args; },
    config: CFG,
    appOrigin: appOrigin,
  };

  frame.src = CFG.appUrl; // only now, so the listener is in place before the SDK's first message
})();
</script>
</body>
</html>
`;
}

/**
 * Serves teamsHostPage(opts) at hostUrl (default https://teams.microsoft.com/test-host, an origin teams-js
 * accepts) via page.route, answers teams-js's valid-origins CDN request with a list containing that origin,
 * and navigates there. The app itself is fetched normally.
 */
export async function openInTeamsHost(page: Page, opts: TeamsHostOptions, hostUrl: string = TEAMS_HOST_URL): Promise<void> {
  const host = new URL(hostUrl);
  const validOrigins = [...new Set(['teams.microsoft.com', 'teams.cloud.microsoft', host.host])];
  await page.route(TEAMS_VALID_ORIGINS_URL, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify({ validOrigins }) }),
  );
  await serveHostPage(page, hostUrl, teamsHostPage(opts));
}

/** The messages the app sent to the host so far. */
export async function teamsCalls(page: Page): Promise<TeamsCall[]> {
  return (await page.evaluate('window.__teamsCalls || []')) as TeamsCall[];
}
