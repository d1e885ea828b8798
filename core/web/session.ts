// Signed-in staff pages (the admin page and the console): the admin session cookie, its CSRF token, and the refusal of
// posts from another site. Cookies come from cookie-parser (a malformed one reads as none).
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Store } from '../store/db.ts';
import type { AdminSession } from '../auth/admins.ts';
import { findSession } from '../auth/admins.ts';
import { html } from '../html.ts';
import { sendHtml } from '../http.ts';
import { isCrossSite } from '../security.ts';
import { layout } from './layout.ts';

export const SESSION_COOKIE = 'madoguchi_admin';
export const LOGIN_COOKIE = 'madoguchi_login';

declare module 'express-serve-static-core' {
  interface Request {
    adminSession?: AdminSession;
  }
}

/** A cookie's value as cookie-parser read it (malformed ones arrive as they were sent, never as an error). */
export function cookie(req: Request, name: string): string {
  const v = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

export const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The page a refused post gets. */
export const crossSitePage = () =>
  layout({
    title: '拒否しました',
    body: html`<h1>このページからは送信できません</h1><p>管理画面のページを開き直してから、もう一度お試しください。</p><p class="en">Cross-site request refused: open the admin page again and retry.</p>`,
  });

/** A signed-in admin (session cookie) for the admin page and the staff console; POSTs need the session's CSRF token. */
export function requireAdminSession(deps: { readonly store: Store; readonly clock: () => number; readonly publicBaseUrl: string }, loginPath = '/admin/login') {
  return async (req: Request, res: Response, next: NextFunction) => {
    const value = cookie(req, SESSION_COOKIE);
    const found = value ? await findSession(deps.store.db, value, deps.clock()) : null;
    // A device's or a staff member's board session is never an admin's.
    const session = found && (found.principal.startsWith('token:') || found.principal.startsWith('user:')) ? found : null;
    if (!session) {
      if (req.method === 'GET') return res.redirect(303, loginPath);
      return sendHtml(
        res,
        layout({
          title: 'サインインしてください',
          body: html`<h1>サインインしてください</h1><p><a href="${loginPath}">サインイン</a></p><p class="en">Please sign in.</p>`,
        }),
        401,
      );
    }
    if (req.method === 'POST') {
      const sent = String(req.get('x-csrf-token') ?? req.body?.csrf ?? '');
      if (isCrossSite(req, deps.publicBaseUrl) || !sameSecret(session.csrf, sent)) {
        return sendHtml(
          res,
          layout({
            title: '拒否しました',
            body: html`<h1>送信を受け付けられませんでした</h1><p>ページを開き直してから、もう一度お試しください。</p><p class="en">The form was stale or forged (CSRF); reload the page and try again.</p>`,
          }),
          403,
        );
      }
    }
    req.adminSession = session;
    next();
  };
}
