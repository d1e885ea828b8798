// Expected failures as values, and the closed set of problem codes the HTTP layer maps to RFC 9457 problem+json.

/** A message for people: Japanese first, with English. */
export interface Bilingual {
  readonly ja: string;
  readonly en: string;
}

export type Result<T, E = Problem> = { ok: true; value: T } | { ok: false; reason: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(reason: E): { ok: false; reason: E } => ({ ok: false, reason });

export type ProblemCode =
  | 'bad_request'
  | 'validation'
  | 'conflict'
  | 'invalid_state'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  /** Dotted path of the offending input field, e.g. 'citizen.email'. */
  readonly field: string;
  readonly ja: string;
  readonly en: string;
}

/** An expected failure that a person reads: Japanese and English, the offending field, and extra members. */
export interface Problem {
  readonly code: ProblemCode;
  readonly message: Bilingual;
  readonly errors?: ReadonlyArray<FieldError>;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function problem(code: ProblemCode, ja: string, en: string, more: Omit<Problem, 'code' | 'message'> = {}): Problem {
  return { code, message: { ja, en }, ...more };
}

export function fieldProblem(field: string, ja: string, en: string, extra?: Record<string, unknown>): Problem {
  return problem('validation', ja, en, { errors: [{ field, ja, en }], ...(extra ? { extra } : {}) });
}

/** Thrown to leave a route or transaction with an expected problem (the error middleware renders it). */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(p: Problem) {
    super(p.message.en);
    this.name = 'ProblemError';
    this.problem = p;
  }
}
