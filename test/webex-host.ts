// A stand-in for the Webex client that hosts an embedded app: an HTML page that loads the app in an
// iframe and answers the real @webex/embedded-app-sdk (v2.x) over its iframe bridge, so that in a
// real browser `await app.onReady()` resolves, `app.context.getMeeting()` returns the meeting we chose,
// and calls such as `app.setShareUrl(...)` are recorded in `window.__webexCalls`.
//
// The protocol (read from node_modules/@webex/embedded-app-sdk/dist/module):
//   app -> host   window.parent.postMessage(JSON.stringify({ requestId, request, parameter }), '*')
//                 (also to parent.parent when that is another, cross-origin window, so a top-level
//                 host can receive each request twice; we answer each requestId once)
//   host -> app   iframe.contentWindow.postMessage(JSON.stringify({ requestId, code: 0, data }), '*')
//                 events: JSON.stringify({ type: 'event', request: 'meeting:infoChanged', data })
//   The SDK drops every message whose event.origin is not https://webex.com, *.webex.com,
//   *.webexgov.us or *.wbxlab.us (no port). So the host page must be served from such an origin:
//   use openInWebexHost(), which serves it at https://test-host.webex.com via page.route. If the host
//   is on another origin but the app is same-origin with it, the page falls back to calling
//   `iframe.contentWindow.webex.application.jsRequestCallback(response)` (the entry point the native
//   bridges use), which bypasses only that origin check.
//   onReady() resolves on the first 300 ms poll after the 'application.initialize' reply has set
//   application.displayContext to a non-null value.
import type { Page } from 'playwright-core';
import { serveHostPage } from './browser.ts';

export interface WebexHostMeeting {
  id: string;
  conferenceId?: string;
  title?: string;
  userRoles?: string[];
  isPresenterOrCoHost?: boolean;
  meetingType?: string;
  instanceId?: string;
  url?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  isPresenting?: boolean;
  permissionToken?: string | null;
  displayName?: string | null;
  /** Anything else is passed through as-is: getMeeting() resolves with the host's data object. */
  [extra: string]: unknown;
}

export interface WebexHostUser {
  id?: string;
  orgId?: string;
  email?: string;
  displayName?: string;
  /** A JWT; by default an unsigned fake whose claims match id/orgId/email/displayName. */
  token?: string;
}

export interface WebexHostOptions {
  appUrl: string;
  meeting: WebexHostMeeting;
  user?: WebexHostUser;
  /** Overrides for the 'application.initialize' reply (displayContext, theme, language, isPrivateDataAvailable, deviceType, sdkVersion…). */
  application?: Record<string, unknown>;
  /** Reply for getSpace(); without it getSpace() is rejected with 5 (BAD_CONTEXT), as in a meeting. */
  space?: { id: string; derivedId?: string; title?: string } | null;
  /** Request name (e.g. 'application.setShareUrl') -> error code to reply with instead of success. */
  errors?: Record<string, number>;
  /**
   * How replies reach the app. 'auto' (default): postMessage when this page's origin passes the SDK's
   * origin check, otherwise a direct jsRequestCallback call when the app is same-origin, otherwise
   * postMessage anyway (the SDK will drop it; see window.__webexHostWarnings).
   */
  transport?: 'auto' | 'postMessage' | 'direct';
}

/** One recorded request from the app. `name` is the SDK request name, `action` its last segment. */
export interface WebexCall {
  name: string;
  action: string;
  payload: unknown;
  requestId: string;
  origin: string;
  at: number;
}

/** Where openInWebexHost serves the host page: an origin the SDK accepts replies from. */
export const WEBEX_HOST_URL = 'https://test-host.webex.com/embedded-app-host';

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

function fakeJwt(user: Required<Omit<WebexHostUser, 'token'>>): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: 'https://idbroker.webex.com/test',
      'com.cisco.user.uuid': user.id,
      'com.cisco.user.orgid': user.orgId,
      email: user.email,
      name: user.displayName,
      iat: now,
      exp: now + 3600,
    }),
  );
  return `${header}.${claims}.`;
}

export function webexHostPage(opts: WebexHostOptions): string {
  const m = opts.meeting;
  const meeting: Record<string, unknown> = {
    id: m.id,
    instanceId: m.instanceId ?? `${m.id}-instance`,
    url: m.url ?? null,
    title: m.title ?? 'Test meeting',
    startTime: m.startTime ?? null,
    endTime: m.endTime ?? null,
    userRoles: m.userRoles ?? ['PARTICIPANT'],
    meetingType: m.meetingType ?? 'MEETING',
    isPresenting: m.isPresenting ?? false,
    permissionToken: m.permissionToken ?? null,
  };
  for (const [k, v] of Object.entries(m)) if (v !== undefined && !(k in meeting)) meeting[k] = v;

  const u = opts.user ?? {};
  const baseUser = {
    id: u.id ?? '6f1c2b0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
    orgId: u.orgId ?? '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6',
    email: u.email ?? 'tester@example.com',
    displayName: u.displayName ?? 'Test User',
  };
  const user = { ...baseUser, token: u.token ?? fakeJwt(baseUser) };

  const application = {
    deviceType: 'DESKTOP',
    displayContext: 'MEETING_SIDEBAR',
    isPrivateDataAvailable: true,
    capabilities: [],
    isShared: false,
    theme: 'LIGHT',
    language: 'en-US',
    sdkVersion: '2.5.0',
    about: 'webex-host test double',
    viewState: 'IN_FOCUS',
    user,
    ...opts.application,
  };

  const cfg = {
    appUrl: opts.appUrl,
    meeting,
    user,
    application,
    space: opts.space ? { derivedId: opts.space.id, title: 'Test space', ...opts.space } : null,
    errors: opts.errors ?? {},
    transport: opts.transport ?? 'auto',
  };
  const json = JSON.stringify(cfg).replace(/</g, '\\u003c');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Webex host (test)</title>
<style>html,body{margin:0;height:100%;overflow:hidden}#app{display:block;border:0;width:100%;height:100%}</style>
</head>
<body>
<iframe id="app" title="Embedded app" allow="camera; microphone; display-capture; clipboard-read; clipboard-write; fullscreen"></iframe>
<script>
(function () {
  'use strict';
  var CFG = ${json};
  var calls = (window.__webexCalls = []);
  var warnings = (window.__webexHostWarnings = []);
  var seen = {};
  var frame = document.getElementById('app');

  // Same rule as IFrameBridge.validateDomain in the SDK.
  function sdkAcceptsOrigin(origin) {
    if (origin.indexOf('d1pdtdmz00p6qr.amplifyapp.com') !== -1) return true;
    return ['webex.com', 'webexgov.us', 'wbxlab.us'].some(function (d) {
      return (origin === 'https://' + d || origin.indexOf('.' + d) !== -1) && new RegExp('.*.' + d + '$').test(origin);
    });
  }
  var trustedOrigin = sdkAcceptsOrigin(location.origin);

  function deliver(target, msg) {
    var text = JSON.stringify(msg);
    setTimeout(function () {
      var mode = CFG.transport;
      if (mode === 'direct' || (mode === 'auto' && !trustedOrigin)) {
        try {
          var cb = target.webex && target.webex.application && target.webex.application.jsRequestCallback;
          if (typeof cb === 'function') { cb(JSON.parse(text)); return; }
          warnings.push('no webex.application.jsRequestCallback in the app window');
        } catch (e) {
          warnings.push('direct reply impossible (' + String(e && e.name) + '); falling back to postMessage');
        }
        if (mode === 'direct') return;
        if (!trustedOrigin) warnings.push('host origin ' + location.origin + ' is not accepted by the SDK; reply will be dropped');
      }
      target.postMessage(text, '*');
    }, 0);
  }

  function ok(data) { return { code: 0, data: data === undefined ? {} : data }; }

  function answer(name, parameter) {
    if (Object.prototype.hasOwnProperty.call(CFG.errors, name)) return { code: CFG.errors[name], data: {} };
    switch (name) {
      case 'application.initialize': return ok({ application: CFG.application });
      case 'application.context.getMeeting': return ok(JSON.parse(JSON.stringify(CFG.meeting)));
      case 'application.context.getUser': return ok(JSON.parse(JSON.stringify(CFG.user)));
      case 'application.context.getSpace': return CFG.space ? ok(CFG.space) : { code: 5, data: {} };
      case 'application.context.getSidebar': return ok({});
      case 'application.initiateSystemBrowserOAuth': return ok({ authorizationCode: 'test-authorization-code' });
      case 'application.sidebar.getCalls': return ok({ calls: [] });
      case 'application.sidebar.showBadge':
      case 'application.sidebar.showNotification': return ok(true);
      default: return ok({}); // setShareUrl, clearShareUrl, setPresentationUrl, listen, performance, ...
    }
  }

  window.addEventListener('message', function (e) {
    if (typeof e.data !== 'string') return;
    var msg;
    try { msg = JSON.parse(e.data); } catch (err) { return; }
    if (!msg || typeof msg.request !== 'string' || !msg.requestId) return;
    if (seen[msg.requestId]) return; // the SDK may post the same request to parent and parent.parent
    seen[msg.requestId] = true;
    var name = msg.request;
    calls.push({ name: name, action: name.split('.').pop(), payload: msg.parameter, requestId: msg.requestId, origin: e.origin, at: Date.now() });
    var res = answer(name, msg.parameter);
    if (name === 'application.context.getMeeting' && res.code === 0) CFG.meeting = res.data;
    deliver(e.source || frame.contentWindow, { requestId: msg.requestId, request: name, code: res.code, data: res.data });
  });

  // For tests: push events ('meeting:infoChanged', 'application:shareStateChanged', ...) and change replies.
  window.__webexHost = {
    emit: function (eventName, data) { deliver(frame.contentWindow, { type: 'event', request: eventName, data: data || {} }); },
    setMeeting: function (patch) { for (var k in patch) CFG.meeting[k] = patch[k]; },
    setError: function (name, code) { if (code === null || code === undefined) delete CFG.errors[name]; else CFG.errors[name] = code; },
    config: CFG,
  };

  frame.src = CFG.appUrl; // only now, so the listener is in place before the SDK's first message
})();
</script>
</body>
</html>
`;
}

/**
 * Serves webexHostPage(opts) at hostUrl (default https://test-host.webex.com/..., an origin the SDK
 * accepts) via page.route, and navigates there. The app itself is fetched normally.
 */
export async function openInWebexHost(page: Page, opts: WebexHostOptions, hostUrl: string = WEBEX_HOST_URL): Promise<void> {
  await serveHostPage(page, hostUrl, webexHostPage(opts));
}

/** The requests the app sent to the host so far. */
export async function webexCalls(page: Page): Promise<WebexCall[]> {
  return (await page.evaluate('window.__webexCalls || []')) as WebexCall[];
}
