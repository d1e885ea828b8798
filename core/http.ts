// HTTP plumbing shared by every route: bilingual input parsing, bearer-token auth, and RFC 9457 problem+json.
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import compression from 'compression';
import type { Logger } from './log.ts';
import { logPath } from './log.ts';
import type { Db } from './store/schema.ts';
import type { FieldError, Problem, ProblemCode, Result } from './errors.ts';
import { ProblemError, fail, ok, problem } from './errors.ts';
import { DatabaseBusy, isDatabaseUnavailable, isTransientConflict } from './store/db.ts';
import type { Principal, Role } from './auth/tokens.ts';
import { authenticate } from './auth/tokens.ts';
import type { Throttle } from './throttle.ts';
import type { SafeHtml } from './html.ts';

const STATUS: Record<ProblemCode, number> = {
  bad_request: 400,
  validation: 422,
  conflict: 409,
  invalid_state: 409,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

const TITLE: Record<ProblemCode, { ja: string; en: string }> = {
  bad_request: { ja: 'リクエストを読み取れません', en: 'Bad request' },
  validation: { ja: '入力内容に誤りがあります', en: 'Invalid input' },
  conflict: { ja: 'ほかの予約や登録と重なっています', en: 'Conflict' },
  invalid_state: { ja: '現在の状態ではできない操作です', en: 'Not possible in the current state' },
  not_found: { ja: '見つかりません', en: 'Not found' },
  unauthorized: { ja: '認証が必要です', en: 'Authentication required' },
  forbidden: { ja: '権限がありません', en: 'Forbidden' },
  too_many_requests: { ja: '試行回数が多すぎます', en: 'Too many attempts' },
  unavailable: { ja: 'ただいま混み合っています', en: 'Service busy' },
  internal: { ja: 'サーバー内部のエラー', en: 'Internal Server Error' },
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem+json body: standard members plus Japanese text, the offending field(s) and extra members. */
export function problemBody(p: Problem, instance?: string): Record<string, unknown> {
  return {
    ...p.extra,
    type: `urn:madoguchi:problem:${p.code}`,
    title: TITLE[p.code].en,
    title_ja: TITLE[p.code].ja,
    status: STATUS[p.code],
    detail: p.message.en,
    detail_ja: p.message.ja,
    ...(p.errors && p.errors.length > 0 ? { field: p.errors[0]!.field, errors: p.errors } : {}),
    ...(instance ? { instance } : {}),
  };
}

/** A problem that says when to come back (busy, too many tries) says it in Retry-After too, whatever shows it. */
export function setRetryAfter(res: Response, p: Problem): void {
  const retryAfter = p.extra?.retryAfterSeconds;
  if (typeof retryAfter === 'number') res.set('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
}

export function sendProblem(res: Response, p: Problem, instance?: string): void {
  setRetryAfter(res, p);
  res
    .status(STATUS[p.code])
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(p, instance)));
}

/** 503: the database stayed busy (or gave no connection in time); the client may try again after a moment. */
export function busyProblem(retryAfterSeconds = 2): Problem {
  return problem(
    'unavailable',
    `ただいま混み合っていて処理できませんでした。${retryAfterSeconds}秒ほど待ってから、もう一度お試しください。`,
    `The service is busy and could not do this now; try again in about ${retryAfterSeconds} seconds.`,
    { extra: { retryAfterSeconds } },
  );
}

/** 429: too many failed attempts from this address or for this account; say when to come back. */
export function tooManyProblem(retryAfterMs: number): Problem {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  return problem(
    'too_many_requests',
    `失敗が続いたため、しばらく受け付けを止めています。${seconds < 60 ? `${seconds}秒` : `${minutes}分`}ほど待ってから、もう一度お試しください。`,
    `Too many failed attempts; try again in ${seconds < 60 ? `${seconds} seconds` : `${minutes} minute(s)`}.`,
    { extra: { retryAfterSeconds: seconds } },
  );
}

const jaLocale = z.locales.ja();

function fieldPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.') || prefix || '(body)';
}

/** Our schemas' own English messages, said in plain Japanese (most specific first). */
const OWN_MESSAGES_JA: Array<[RegExp, string]> = [
  [/ISO 8601 date-time/, '日時は 2026-12-01T10:00:00+09:00 のように、時差（+09:00）まで付けて入れてください。'],
  [/date as YYYY-MM-DD/, '日付は 2026-12-01 のように入れてください。'],
  [/not a real calendar date/, 'ありえない日付です（例: 2月30日）。カレンダーにある日付を入れてください。'],
  [/expected HH:MM/, '時刻は 10:00 のように入れてください。'],
  [/give at least one of start, durationMinutes, hostId/, '変えたいもの（start・durationMinutes・hostId のどれか）を入れてください。'],
  [/give displayName or siteId/, 'displayName か siteId を入れてください。'],
  [/give name or phone/, 'name か phone を入れてください。'],
];

/** zod's words for a value of the wrong kind ("stringが期待されましたが…") in plain Japanese, by what was expected. */
const EXPECTED_JA: Record<string, string> = {
  string: '文字で入れてください（"…" で囲みます）。',
  number: '数で入れてください（例: 60）。',
  int: '整数で入れてください（例: 60）。',
  boolean: 'true か false で入れてください。',
  array: '一覧（[ … ]）で入れてください。',
  object: 'まとまり（{ … }）で入れてください。',
};

function plainJa(issue: z.core.$ZodIssue, zodJa: string | undefined): string {
  const own = OWN_MESSAGES_JA.find(([re]) => re.test(issue.message))?.[1];
  if (own) return own;
  if (issue.code === 'invalid_type') return EXPECTED_JA[String((issue as { expected?: unknown }).expected)] ?? '入れ方が違います。説明をご確認ください。';
  return zodJa ?? issue.message;
}

/** Parses input with a zod schema; failures name each field in Japanese and English. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown, where: string): Result<z.output<S>> {
  const en = schema.safeParse(data);
  if (en.success) return ok(en.data);
  const ja = schema.safeParse(data, { error: jaLocale.localeError });
  const jaIssues = ja.success ? [] : ja.error.issues;
  // A field left out is said plainly (zod's own words would be "expected string, received undefined").
  const missing = (path: ReadonlyArray<PropertyKey>) =>
    path.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), data) === undefined;
  const errors: FieldError[] = en.error.issues.map((issue, i) =>
    issue.code === 'invalid_type' && missing(issue.path)
      ? { field: fieldPath(where, issue.path), en: 'Required: this field is missing.', ja: '必須の項目です。入れてください。' }
      : { field: fieldPath(where, issue.path), en: issue.message, ja: plainJa(issue, jaIssues[i]?.message) },
  );
  const first = errors[0]!;
  return fail(
    problem(
      'validation',
      `${first.field}: ${first.ja}${errors.length > 1 ? `（ほか${errors.length - 1}件）` : ''}`,
      `${first.field}: ${first.en}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
      { errors },
    ),
  );
}

/** Unwraps a parse or service result inside a route (the error middleware renders a failure). */
export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new ProblemError(r.reason);
  return r.value;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error('route is missing requireToken');
  return req.principal;
}

/**
 * Bearer-token authentication; with `role: 'admin'` only admins pass. Wrong tokens are counted per address: past the
 * limit every request from there gets 429 for a while, whatever token it carries.
 */
export function requireToken(db: Db, role: Role | undefined, throttle: Throttle): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const address = `addr:${req.ip ?? ''}`;
    const wait = await throttle.wait(address);
    if (wait > 0) throw new ProblemError(tooManyProblem(wait));
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      throw new ProblemError(
        problem('unauthorized', 'Authorization: Bearer <トークン> ヘッダーが必要です。', 'Send an "Authorization: Bearer <token>" header.'),
      );
    }
    const principal = await authenticate(db, m[1]!);
    if (!principal) {
      // Only wrong tokens count, and each is counted at once: past the limit the answer is 429, not 401.
      const blocked = await throttle.attempt(address);
      if (blocked > 0) throw new ProblemError(tooManyProblem(blocked));
      throw new ProblemError(problem('unauthorized', 'トークンが正しくないか、無効にされています。', 'The token is unknown or revoked.'));
    }
    if (role === 'admin' && principal.role !== 'admin') {
      throw new ProblemError(problem('forbidden', 'この操作は管理者だけが行えます。', 'Only an admin can do this.'));
    }
    req.principal = principal;
    next();
  };
}

/** The one error middleware: expected problems as problem+json, anything else logged once and a bare 500. */
/** The status a problem is answered with. */
export const statusOf = (p: Problem) => STATUS[p.code];

/**
 * How a surface shows a problem to its readers: the API and the chat webhooks answer problem+json (the default);
 * the pages (admin, console, the in-meeting app) have server.ts register a readable page for their path with
 * `answerProblemsWith`, before the first check that can refuse a request.
 */
export type ProblemRenderer = (req: Request, res: Response, p: Problem) => void;

const renderJson: ProblemRenderer = (req, res, p) => sendProblem(res, p, req.originalUrl);

/** Registers how this router's problems and errors are shown (used by `problemHandler` and `refuseNulCharacters`). */
export function answerProblemsWith(render: ProblemRenderer): RequestHandler {
  return (_req, res, next) => {
    res.locals.renderProblem = render;
    next();
  };
}

/** Shows a problem the way the router that took the request registered (problem+json if it registered none). */
export function renderProblem(req: Request, res: Response, p: Problem): void {
  ((res.locals.renderProblem as ProblemRenderer | undefined) ?? renderJson)(req, res, p);
}

const INTERNAL = problem(
  'internal',
  'サーバーで問題が起きました。記録済みです。時間をおいてもう一度お試しください。',
  'Something went wrong on the server; it has been logged.',
);

/** Any error → the problem a person is told, and whether it was unexpected (logged with its stack). Pure. */
export function problemOf(error: unknown): { problem: Problem; unexpected: boolean } {
  const known = (p: Problem) => ({ problem: p, unexpected: false });
  if (error instanceof ProblemError) return known(error.problem);
  // Contended past what a request may wait (a lock timeout, a deadlock outside a retried transaction): come back soon.
  if (isDatabaseUnavailable(error) || isTransientConflict(error)) return known(busyProblem(error instanceof DatabaseBusy ? error.retryAfterSeconds : 5));
  const e = error as { type?: string; status?: number; code?: string };
  // Text PostgreSQL cannot store (a NUL character): the input's fault, not the server's.
  if (e?.code === '22021' || e?.code === '22P05') return known(NUL_PROBLEM);
  if (e?.type === 'entity.parse.failed')
    return known(
      problem('bad_request', '本文を JSON として読み取れません。', 'The request body is not valid JSON.', {
        errors: [{ field: '(body)', ja: 'JSON の形式が正しくありません', en: 'malformed JSON' }],
      }),
    );
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return known(problem('bad_request', '本文は UTF-8 で送ってください。', 'Send the body as UTF-8.'));
  if (e?.type === 'entity.too.large')
    return known(
      problem('bad_request', '送られた内容が大きすぎます。短くして、もう一度お送りください。', 'What was sent is too large; shorten it and try again.'),
    );
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return known(
      problem(
        'bad_request',
        '送られた内容を読み取れませんでした。前のページに戻って、もう一度お試しください。',
        `What was sent could not be read (${(error as Error).message}); go back and try again.`,
      ),
    );
  return { problem: INTERNAL, unexpected: true };
}

/** The one error handler: every error becomes a problem, shown the way the surface registered (problem+json by default). */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const { problem: p, unexpected } = problemOf(error);
    const where = { method: req.method, path: logPath(req.originalUrl) };
    if (unexpected) log.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error), ...where }, 'unexpected error');
    else if (p.code === 'unavailable') log.warn({ err: (error as Error).message, ...where }, 'database busy: asked the client to come back');
    renderProblem(req, res, p);
  };
}

/** 404 for unknown routes, as problem+json. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, problem('not_found', `${req.method} ${req.path} はありません。`, `There is no ${req.method} ${req.path}.`), req.originalUrl);
};

const hasNul = (v: unknown, depth = 0): boolean => {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 20 || v === null || typeof v !== 'object') return false;
  return Object.entries(v as Record<string, unknown>).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1));
};

const NUL_PROBLEM = problem(
  'bad_request',
  '読み取れない文字（NUL）が含まれています。入力した内容を確かめてください。',
  'The request contains a NUL character; check what was entered.',
);

/**
 * A NUL character in the path, the query or the body is refused at once (PostgreSQL cannot store it in text), the
 * way the surface shows problems. Used after each body parser (the API's JSON, the pages' forms).
 */
export const refuseNulCharacters: RequestHandler = (req, res, next) => {
  let path = '';
  try {
    path = decodeURIComponent(req.path);
  } catch {
    path = req.path;
  }
  if (path.includes('\u0000') || hasNul(req.query) || hasNul(req.body)) return renderProblem(req, res, NUL_PROBLEM);
  next();
};

/** Sends a server-rendered page (the only way a SafeHtml becomes the body of an answer). */
export function sendHtml(res: Response, page: SafeHtml, status = 200): Response {
  return res.status(status).type('html').send(page.toString());
}

/**
 * Compressed answers (gzip, when the client accepts it) for the API's JSON, the citizen pages and the assets. Not for
 * live streams (SSE must reach the page at once), and not for the pages that carry a session's CSRF token next to text
 * a request can put there (admin, console, counter, board): compressing a secret with reflected input lets its length
 * give the secret away (BREACH). Those pages are small and used on the city's own network.
 *
 * Gzip only, never brotli: at the fastest levels both shrink our JSON and pages alike, but a brotli encoder per answer
 * left the server about 40 MB larger after 10,000 bookings (its allocations stay with the process), gzip about 7 MB.
 */
export function compressAnswers(): RequestHandler {
  const secretPages = /^\/(admin|console|counter|board)(\/|$)/;
  const compress = compression({
    threshold: 1024,
    // The fastest level: a year of slots (3 MB of JSON) still shrinks about tenfold, without doubling the answer's time.
    level: 1,
    filter: (req, res) => {
      if (secretPages.test((req as Request).originalUrl ?? req.url ?? '')) return false;
      if (String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream')) return false;
      return compression.filter(req, res);
    },
  });
  return (req, res, next) => {
    const accepted = req.headers['accept-encoding'];
    if (accepted?.includes('br')) {
      req.headers['accept-encoding'] = accepted
        .split(',')
        .filter((e) => e.split(';')[0]!.trim().toLowerCase() !== 'br')
        .join(',');
    }
    compress(req, res, next);
  };
}
