// embedded-app/ owns the in-meeting app: the citizen's steps (welcome → consent → documents → relay status → end and
// survey) and the live staff view, for three entries: the Webex embedded app, the Teams meeting side panel and the
// citizen's personal link. Pages are server-rendered; small esbuild bundles (client/) make them live over SSE.
import express from 'express';
import type { Router } from 'express';
import type { Store } from '../core/store/db.ts';
import type { IdSource } from '../core/ids.ts';
import type { Config } from '../core/config.ts';
import type { AppEvents } from '../core/events.ts';
import type { Throttles } from '../core/throttle.ts';
import { pageCsp } from '../core/security.ts';
import type { ProblemRenderer } from '../core/http.ts';
import { sendHtml, setRetryAfter, statusOf } from '../core/http.ts';
import { appAssets } from './assets.ts';
import type { Assets } from './assets.ts';
import { sorryPage } from './html.ts';
import type { Logger } from '../core/log.ts';
import { citizenRouter } from './citizen-pages.ts';
import { staffRouter } from './staff-pages.ts';
import { platformRouter } from './platforms.ts';

export interface AppDeps {
  readonly store: Store;
  readonly config: Config;
  readonly clock: () => number;
  readonly ids: IdSource;
  readonly events?: AppEvents | undefined;
  readonly log?: Logger | undefined;
  readonly throttles: Throttles;
}

/**
 * Exactly what the pages need: our own scripts and styles, our own server for live updates, and framing only by the
 * configured Webex and Teams hosts (APP_FRAME_ANCESTORS).
 */
export const appCsp = (config: Config, assets?: Assets) =>
  pageCsp({
    scripts: true,
    connect: true,
    forms: true,
    frameAncestors: config.app.frameAncestors,
    ...(assets ? { inlineStyles: [assets.inline.css], inlineScripts: [assets.inline.citizenJs] } : {}),
  });

/** Every app answer: never cached, its CSP, and framed by Webex and Teams (frame-ancestors says by whom; the site-wide X-Frame-Options: DENY would forbid it). */
function appHeaders(res: express.Response, csp: string): void {
  res.set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': csp });
  res.removeHeader('X-Frame-Options');
}

/**
 * How the in-meeting app shows a problem (server.ts registers it for /app): a person reads these pages, so it is the
 * sorry page in plain words, never JSON; an unexpected error points to the department.
 */
export const appProblemPage =
  (config: Config): ProblemRenderer =>
  (_req, res, p) => {
    const [ja, en] =
      p.code === 'internal'
        ? [
            'うまく表示できませんでした。少し待ってから、もう一度お試しください。続くときは、案内メールの担当課にお問い合わせください。',
            'Something went wrong. Please try again in a moment, or contact the department named in your invitation.',
          ]
        : [p.message.ja, p.message.en];
    setRetryAfter(res, p);
    // Its own headers: the problem may be found before appRouter set them.
    appHeaders(res, appCsp(config));
    appAssets().then(
      (assets) => {
        res.set('Content-Security-Policy', appCsp(config, assets));
        sendHtml(res, sorryPage(assets, ['申し訳ありません', 'Sorry'], ja, en), statusOf(p));
      },
      () => res.status(statusOf(p)).type('text').send(`${ja}\n${en}`),
    );
  };

export function appRouter(deps: AppDeps): Router {
  const r = express.Router();
  const csp = appCsp(deps.config);
  r.use((_req, res, next) => {
    appHeaders(res, csp);
    next();
  });
  const inner = appAssets().then((assets) => {
    const x = express.Router();
    // The pages' own stylesheet and citizen script, written into them, are allowed by their hashes.
    const withInline = appCsp(deps.config, assets);
    x.use((_req, res, next) => {
      res.set('Content-Security-Policy', withInline);
      next();
    });
    x.get('/assets/:file', (req, res) => {
      const a = assets.byFile(req.params.file);
      if (!a) return res.status(404).type('text').send('not found');
      const gzip = /\bgzip\b/.test(req.get('accept-encoding') ?? '');
      res.set({
        'Content-Type': a.type,
        'Cache-Control': 'public, max-age=31536000, immutable',
        Vary: 'Accept-Encoding',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.send(gzip ? a.gzip : a.body);
    });
    const stateDeps = { db: deps.store.db, ids: deps.ids, clock: deps.clock, events: deps.events };
    x.use(citizenRouter({ ...stateDeps, assets, secretKey: deps.config.secretKey, throttle: deps.throttles.link, city: deps.config.city }));
    x.use(staffRouter({ ...stateDeps, assets, config: deps.config, throttle: deps.throttles.link }));
    x.use(platformRouter({ db: deps.store.db, clock: deps.clock, assets, config: deps.config, throttle: deps.throttles.link }));
    return x;
  });
  r.use(async (req, res, next) => {
    (await inner)(req, res, next);
  });
  return r;
}
