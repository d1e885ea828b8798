// One route table for /api/v1: each route says its method, path, who may call it, the zod schemas of what it takes
// and answers, and its handler. The same table mounts the Express routes and writes the OpenAPI document, so the two
// cannot drift apart; a test checks every live answer against the document.
import express from 'express';
import type { Request, Router } from 'express';
import type { z } from 'zod';
import { ProblemError, problem } from '../core/errors.ts';
import { must, parseInput, principalOf, requireToken } from '../core/http.ts';
import type { Db } from '../core/store/schema.ts';
import type { Throttle } from '../core/throttle.ts';

export type Auth = 'public' | 'staff' | 'admin';
export type Method = 'get' | 'post' | 'patch' | 'delete';

/** A documented answer: its schema (none for 204), or for an error the Problem it extends. */
export interface Answered {
  readonly description: string;
  readonly schema?: z.ZodType;
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteInput<P, Q, B, H> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly headers: H;
  /** Who is calling, as the audit log names them (`token:<id>:<name>`); '' on a public route. */
  readonly actor: string;
  readonly req: Request;
}

export interface Route<P = unknown, Q = unknown, B = unknown, H = unknown> {
  readonly method: Method;
  /** Express style: '/consultations/:id'. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth: Auth;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** The body may be left out (then it reads as {}). */
  readonly bodyOptional?: boolean;
  /** Request headers by their name (Idempotency-Key). */
  readonly headers?: z.ZodType<H>;
  readonly responses: Readonly<Record<number, Answered>>;
  readonly handle: (input: RouteInput<P, Q, B, H>) => Promise<Answer>;
}

/** A route whose handler gets exactly what its schemas parsed. */
export const route = <P = unknown, Q = unknown, B = unknown, H = unknown>(r: Route<P, Q, B, H>): Route => r as unknown as Route;

/** The headers a route reads, by their lower-case name, for parsing. */
function headersOf(req: Request, schema: z.ZodType | undefined): Record<string, string> {
  if (!schema) return {};
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const out: Record<string, string> = {};
  for (const name of Object.keys(shape)) {
    const v = req.get(name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export interface TableDeps {
  readonly db: Db;
  readonly throttle: Throttle;
}

/** Mounts every route of the table on a router, with its token check and its inputs parsed (problems in both languages). */
export function mountTable(table: ReadonlyArray<Route>, deps: TableDeps): Router {
  const r = express.Router();
  const guards: Record<Auth, express.RequestHandler[]> = {
    public: [],
    staff: [requireToken(deps.db, undefined, deps.throttle)],
    admin: [requireToken(deps.db, 'admin', deps.throttle)],
  };
  for (const t of table) {
    r[t.method](t.path, ...guards[t.auth], async (req, res) => {
      const principal = t.auth === 'public' ? null : principalOf(req);
      if (t.body && !t.bodyOptional && req.body === undefined) {
        throw new ProblemError(
          problem('validation', '本文（JSON）が必要です。', 'A JSON body is required.', {
            errors: [{ field: '(body)', ja: '本文がありません', en: 'missing body' }],
          }),
        );
      }
      const input = {
        params: t.params ? must(parseInput(t.params, req.params, 'path')) : {},
        query: t.query ? must(parseInput(t.query, req.query, 'query')) : {},
        body: t.body ? must(parseInput(t.body, req.body ?? {}, '')) : undefined,
        headers: t.headers ? must(parseInput(t.headers, headersOf(req, t.headers), '')) : {},
        actor: principal ? `token:${principal.tokenId}:${principal.name}` : '',
        req,
      };
      const answer = await t.handle(input);
      if (answer.headers) res.set(answer.headers);
      res.status(answer.status);
      if (answer.body === undefined) res.end();
      else res.json(answer.body);
    });
  }
  return r;
}
