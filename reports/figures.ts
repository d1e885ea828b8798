// The figures a city reports, computed from facts that carry no personal data (times, department, site, type,
// platform, status, relay times, survey scores): a pure function, so that the page, the API, the CSV and the weekly
// mail give the same numbers. Percentiles are nearest-rank (the value below which that share of the waits lie).
import { addDays, startOfLocalDate, toLocalDate, toLocalMinute } from '../core/time.ts';
import type { LocalDate } from '../core/time.ts';
import type { Period } from './periods.ts';
import { monthsOf } from './periods.ts';

/** One consultation, as the figures see it (never a name, an email or a topic). */
export interface ConsultationFact {
  readonly id: string;
  readonly startAt: number;
  readonly endAt: number;
  readonly status: string;
  /** 'booked' | 'walk_in' */
  readonly kind: string;
  readonly type: string;
  readonly department: string;
  readonly site: string;
  /** 'webex' | 'teams' | 'dryrun' (the host's conferencing). */
  readonly platform: string;
  readonly survey: { readonly satisfaction: number | null; readonly again: boolean | null; readonly comment: string } | null;
}

/** One hop of a relay: the department called, when, and when someone accepted. */
export interface RelayFact {
  readonly consultationId: string;
  readonly department: string;
  readonly requestedAt: number;
  readonly acceptedAt: number | null;
  readonly status: string;
}

export interface Count {
  readonly key: string;
  readonly count: number;
}

export interface Spread {
  readonly count: number;
  /** Minutes, one decimal; null with nothing to measure. */
  readonly median: number | null;
  readonly p90: number | null;
}

export interface MonthCount {
  /** YYYY-MM */
  readonly month: string;
  readonly booked: number;
  readonly walkIn: number;
  readonly total: number;
}

export interface Figures {
  readonly period: Period;
  readonly consultations: {
    readonly total: number;
    /** held: completed; upcoming: booked, meeting ready or invited. */
    readonly byOutcome: ReadonlyArray<Count>;
    readonly byStatus: ReadonlyArray<Count>;
    readonly byDepartment: ReadonlyArray<Count>;
    readonly bySite: ReadonlyArray<Count>;
    readonly byType: ReadonlyArray<Count>;
    readonly byPlatform: ReadonlyArray<Count>;
    readonly byKind: ReadonlyArray<Count>;
    readonly byMonth: ReadonlyArray<MonthCount>;
    /** Per department and month: the rows of the department × month table. */
    readonly byDepartmentMonth: ReadonlyArray<{ readonly department: string; readonly months: ReadonlyArray<number> }>;
  };
  readonly waits: Spread & {
    /** Relays nobody accepted (declined, cancelled, or still waiting). */
    readonly notAccepted: number;
    readonly byDepartment: ReadonlyArray<Spread & { readonly key: string }>;
    /** By the hour the relay was asked for, in the city's time (8 = 8:00–8:59). */
    readonly byHour: ReadonlyArray<Spread & { readonly hour: number }>;
    readonly distribution: ReadonlyArray<{ readonly key: string; readonly count: number }>;
  };
  readonly relays: {
    readonly total: number;
    /** Consultations (not cancelled) by how many relays they had: 0, 1, 2, 3 or more. */
    readonly perConsultation: ReadonlyArray<Count>;
    /** Relays per consultation held or in progress, two decimals. */
    readonly average: number | null;
  };
  /** Minutes from start to end of the consultations held. */
  readonly length: Spread;
  readonly survey: {
    readonly answered: number;
    /** 1 to 5, how many gave each. */
    readonly satisfaction: ReadonlyArray<{ readonly score: number; readonly count: number }>;
    readonly averageSatisfaction: number | null;
    readonly again: { readonly yes: number; readonly no: number };
    /** The share who would use it again, of those who answered that question (0 to 1, three decimals). */
    readonly againShare: number | null;
    /** Free comments (no name, no email): the date and department only. */
    readonly comments: ReadonlyArray<{ readonly date: LocalDate; readonly department: string; readonly text: string }>;
  };
}

export const OUTCOMES = ['held', 'in_progress', 'upcoming', 'cancelled', 'needs_attention'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function outcomeOf(status: string): Outcome {
  if (status === 'completed') return 'held';
  if (status === 'in_progress' || status === 'cancelled' || status === 'needs_attention') return status;
  return 'upcoming';
}

/** The waiting-time bands of the distribution, in minutes: [from, to). */
export const WAIT_BANDS: ReadonlyArray<{ readonly key: string; readonly from: number; readonly to: number }> = [
  { key: '<1', from: 0, to: 1 },
  { key: '1-3', from: 1, to: 3 },
  { key: '3-5', from: 3, to: 5 },
  { key: '5-10', from: 5, to: 10 },
  { key: '10-20', from: 10, to: 20 },
  { key: '20+', from: 20, to: Number.POSITIVE_INFINITY },
];

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
export function percentile(sorted: ReadonlyArray<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function spread(minutes: ReadonlyArray<number>): Spread {
  const sorted = [...minutes].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const p90 = percentile(sorted, 90);
  return { count: sorted.length, median: median === null ? null : round1(median), p90: p90 === null ? null : round1(p90) };
}

/** Counts by key, the largest first (then by key, so that the order is stable). */
function countBy<T>(items: ReadonlyArray<T>, key: (t: T) => string, order?: ReadonlyArray<string>): Count[] {
  const m = new Map<string, number>();
  for (const k of order ?? []) m.set(k, 0);
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  const out = [...m].map(([k, count]) => ({ key: k, count }));
  if (order) return out;
  return out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function groupSpread<T>(items: ReadonlyArray<T>, key: (t: T) => string, value: (t: T) => number): Array<Spread & { key: string }> {
  const m = new Map<string, number[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k) ?? [];
    list.push(value(i));
    m.set(k, list);
  }
  return [...m].map(([k, values]) => ({ key: k, ...spread(values) })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The figures for a period, from the consultations that start in it and their relays. */
export function computeFigures(period: Period, consultations: ReadonlyArray<ConsultationFact>, relays: ReadonlyArray<RelayFact>): Figures {
  const inPeriod = (ms: number) => {
    const d = toLocalDate(ms);
    return d >= period.from && d <= period.to;
  };
  const cs = consultations.filter((c) => inPeriod(c.startAt));
  const ids = new Set(cs.map((c) => c.id));
  const rs = relays.filter((r) => ids.has(r.consultationId));
  const months = monthsOf(period);
  const monthIndex = new Map(months.map((m, i) => [m, i]));

  const byMonth = months.map((month) => ({ month, booked: 0, walkIn: 0, total: 0 }));
  const deptMonths = new Map<string, number[]>();
  for (const c of cs) {
    const i = monthIndex.get(toLocalDate(c.startAt).slice(0, 7));
    if (i === undefined) continue;
    const m = byMonth[i]!;
    byMonth[i] = { ...m, booked: m.booked + (c.kind === 'walk_in' ? 0 : 1), walkIn: m.walkIn + (c.kind === 'walk_in' ? 1 : 0), total: m.total + 1 };
    const row = deptMonths.get(c.department) ?? months.map(() => 0);
    row[i] = (row[i] ?? 0) + 1;
    deptMonths.set(c.department, row);
  }
  const byDepartment = countBy(cs, (c) => c.department);

  const accepted = rs.filter((r) => r.acceptedAt !== null);
  const wait = (r: RelayFact) => (r.acceptedAt! - r.requestedAt) / 60_000;
  const waits = accepted.map(wait);
  const byHour = groupSpread(accepted, (r) => String(Math.floor(toLocalMinute(r.requestedAt) / 60)), wait)
    .map(({ key, ...s }) => ({ hour: Number(key), ...s }))
    .sort((a, b) => a.hour - b.hour);

  const relaysOf = new Map<string, number>();
  for (const r of rs) relaysOf.set(r.consultationId, (relaysOf.get(r.consultationId) ?? 0) + 1);
  const notCancelled = cs.filter((c) => c.status !== 'cancelled');
  const perConsultation = countBy(notCancelled, (c) => String(Math.min(3, relaysOf.get(c.id) ?? 0)).replace('3', '3+'), ['0', '1', '2', '3+']);
  const heldOrOn = cs.filter((c) => c.status === 'completed' || c.status === 'in_progress');
  const relaysOfHeld = heldOrOn.reduce((n, c) => n + (relaysOf.get(c.id) ?? 0), 0);

  const held = cs.filter((c) => c.status === 'completed');
  const surveys = cs.filter((c) => c.survey && (c.survey.satisfaction !== null || c.survey.again !== null || c.survey.comment));
  const scores = surveys.map((c) => c.survey!.satisfaction).filter((s): s is number => s !== null);
  const yes = surveys.filter((c) => c.survey!.again === true).length;
  const no = surveys.filter((c) => c.survey!.again === false).length;

  return {
    period,
    consultations: {
      total: cs.length,
      byOutcome: countBy(cs, (c) => outcomeOf(c.status), OUTCOMES),
      byStatus: countBy(cs, (c) => c.status),
      byDepartment,
      bySite: countBy(cs, (c) => c.site),
      byType: countBy(cs, (c) => c.type),
      byPlatform: countBy(cs, (c) => c.platform),
      byKind: countBy(cs, (c) => (c.kind === 'walk_in' ? 'walk_in' : 'booked'), ['booked', 'walk_in']),
      byMonth,
      byDepartmentMonth: byDepartment.map((d) => ({ department: d.key, months: deptMonths.get(d.key) ?? months.map(() => 0) })),
    },
    waits: {
      ...spread(waits),
      notAccepted: rs.length - accepted.length,
      byDepartment: groupSpread(accepted, (r) => r.department, wait),
      byHour,
      distribution: WAIT_BANDS.map((b) => ({ key: b.key, count: waits.filter((w) => w >= b.from && w < b.to).length })),
    },
    relays: {
      total: rs.length,
      perConsultation,
      average: heldOrOn.length === 0 ? null : Math.round((relaysOfHeld / heldOrOn.length) * 100) / 100,
    },
    length: spread(held.map((c) => (c.endAt - c.startAt) / 60_000)),
    survey: {
      answered: surveys.length,
      satisfaction: [1, 2, 3, 4, 5].map((score) => ({ score, count: scores.filter((s) => s === score).length })),
      averageSatisfaction: scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100,
      again: { yes, no },
      againShare: yes + no === 0 ? null : Math.round((yes / (yes + no)) * 1000) / 1000,
      comments: surveys
        .filter((c) => c.survey!.comment.trim() !== '')
        .sort((a, b) => a.startAt - b.startAt)
        .map((c) => ({ date: toLocalDate(c.startAt), department: c.department, text: c.survey!.comment.trim() })),
    },
  };
}

/** The days a period covers, as [first instant, instant after the last day) for a query. */
export function periodBounds(period: Period): { from: number; to: number } {
  return { from: startOfLocalDate(period.from), to: startOfLocalDate(addDays(period.to, 1)) };
}
