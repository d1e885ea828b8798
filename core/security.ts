// Security headers on every response (helmet), and the Content-Security-Policy of each kind of page. The default is
// the strictest: nothing may load, nothing may frame us. Pages set their own policy; only the in-meeting app may be
// framed, and only by the configured Webex and Teams hosts.
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

/** 'sha256-…' source for an inline <style> block, so that a page can allow exactly its own. */
export const cspHash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export interface PagePolicy {
  /** Our own scripts (script-src 'self'). */
  readonly scripts?: boolean;
  /** Inline <script> blocks allowed by their hash (never any other inline script). */
  readonly inlineScripts?: ReadonlyArray<string>;
  /** Inline <style> blocks allowed by their hash. */
  readonly inlineStyles?: ReadonlyArray<string>;
  /** Any inline style (the admin's email preview shows the templates' own styles). */
  readonly anyInlineStyle?: boolean;
  /** fetch / EventSource to our own server. */
  readonly connect?: boolean;
  /** Where forms may post (default none). */
  readonly forms?: boolean;
  /** Who may frame the page (default nobody). */
  readonly frameAncestors?: ReadonlyArray<string>;
  /** Frames the page itself shows ('self', data: for the admin's preview). */
  readonly frames?: ReadonlyArray<string>;
}

export function pageCsp(p: PagePolicy): string {
  const styles = p.anyInlineStyle ? ["'self'", "'unsafe-inline'"] : ["'self'", ...(p.inlineStyles ?? []).map(cspHash)];
  return [
    "default-src 'none'",
    p.scripts ? ["script-src 'self'", ...(p.inlineScripts ?? []).map(cspHash)].join(' ') : "script-src 'none'",
    `style-src ${styles.join(' ')}`,
    "img-src 'self' data:",
    "font-src 'self'",
    ...(p.connect ? ["connect-src 'self'"] : []),
    ...(p.frames?.length ? [`frame-src ${p.frames.join(' ')}`] : []),
    `form-action ${p.forms ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "object-src 'none'",
    `frame-ancestors ${p.frameAncestors?.length ? p.frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/** For API answers, webhooks and anything else that is not a page: nothing loads, nothing frames it. */
export const NOTHING_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Headers on every response: HSTS when the public address is https, nosniff, the strict default CSP, no framing
 * (X-Frame-Options for old browsers), referrers only to ourselves, same-origin opener and resource policies.
 */
export function securityHeaders(publicBaseUrl: string): RequestHandler {
  const https = publicBaseUrl.startsWith('https://');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] },
    },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: false } : false,
    // Same-origin only: link tokens in our URLs never leave in a Referer, and our own form posts keep their Origin
    // (with no-referrer, browsers send "Origin: null", which the cross-site check must refuse).
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/** Pages and answers that show personal data are never kept by a browser or a proxy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * Whether a POST comes from another site. A missing Origin (old browsers, tools) is left to the CSRF token; one that
 * is not a URL at all ('null' from a sandboxed frame, garbage) counts as another site. Ours is the Host the request
 * came to, or PUBLIC_BASE_URL's (behind a proxy that rewrites Host).
 */
export function isCrossSite(req: Request, publicBaseUrl?: string): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  if (host === req.get('host')) return false;
  try {
    return !publicBaseUrl || host !== new URL(publicBaseUrl).host;
  } catch {
    return true;
  }
}
