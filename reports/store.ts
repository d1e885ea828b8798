// Reads the facts the figures are computed from: never a name, an email or a topic (the columns are not selected),
// so the figures are the same before and after the retention purge. Names of departments, sites and hosts are read
// with the retired ones, so that last year's figures still name a department that was renamed or a branch closed.
import type { Db } from '../core/store/schema.ts';
import { computeFigures, periodBounds } from './figures.ts';
import type { ConsultationFact, Figures, RelayFact } from './figures.ts';
import type { Period } from './periods.ts';

const iso = (ms: number) => new Date(ms).toISOString();

interface Survey {
  satisfaction: number | null;
  again: boolean | null;
  comment: string;
}

function parseSurvey(text: string | null): Survey | null {
  if (!text) return null;
  try {
    const s = JSON.parse(text) as Record<string, unknown>;
    return {
      satisfaction: typeof s.satisfaction === 'number' && s.satisfaction >= 1 && s.satisfaction <= 5 ? s.satisfaction : null,
      again: typeof s.again === 'boolean' ? s.again : null,
      comment: typeof s.comment === 'string' ? s.comment : '',
    };
  } catch {
    return null;
  }
}

export interface Names {
  readonly departments: ReadonlyMap<string, string>;
  readonly hosts: ReadonlyMap<string, { readonly name: string; readonly provider: string }>;
  /** A consultation's site by its id (none: the main office, as for consultations from before sites). */
  site(id: string | null): string;
}

/** Every department, site and host by id, retired ones too. */
export async function namesById(db: Db): Promise<Names> {
  const [departments, sites, hosts] = await Promise.all([
    db.selectFrom('departments').select(['id', 'name']).execute(),
    db.selectFrom('sites').select(['id', 'name']).execute(),
    db.selectFrom('hosts').select(['id', 'display_name', 'provider']).execute(),
  ]);
  const siteNames = new Map(sites.map((s) => [s.id, s.name]));
  return {
    departments: new Map(departments.map((d) => [d.id, d.name])),
    site: (id) => (id && siteNames.get(id)) || siteNames.get('main') || '本庁',
    hosts: new Map(hosts.map((h) => [h.id, { name: h.display_name, provider: h.provider }])),
  };
}

/** The consultations that start in the period, and their relays, as facts. */
export async function loadFacts(db: Db, period: Period): Promise<{ consultations: ConsultationFact[]; relays: RelayFact[] }> {
  const { from, to } = periodBounds(period);
  const inPeriod = db.selectFrom('consultations').select('id').where('start_at', '>=', iso(from)).where('start_at', '<', iso(to));
  const [rows, relayRows, names] = await Promise.all([
    db
      .selectFrom('consultations as c')
      .leftJoin('app_progress as p', 'p.consultation_id', 'c.id')
      .select(['c.id', 'c.start_at', 'c.end_at', 'c.status', 'c.kind', 'c.consultation_type', 'c.department_id', 'c.site_id', 'c.host_id', 'p.survey'])
      .where('c.start_at', '>=', iso(from))
      .where('c.start_at', '<', iso(to))
      .execute(),
    db
      .selectFrom('relays')
      .select(['consultation_id', 'to_department_id', 'requested_at', 'accepted_at', 'status'])
      .where('consultation_id', 'in', inPeriod)
      .execute(),
    namesById(db),
  ]);
  const consultations = rows.map(
    (r): ConsultationFact => ({
      id: r.id,
      startAt: Date.parse(r.start_at),
      endAt: Date.parse(r.end_at),
      status: r.status,
      kind: r.kind,
      type: r.consultation_type,
      department: names.departments.get(r.department_id) ?? r.department_id,
      site: names.site(r.site_id),
      platform: names.hosts.get(r.host_id)?.provider ?? 'unknown',
      survey: parseSurvey(r.survey ?? null),
    }),
  );
  const relays = relayRows.map(
    (r): RelayFact => ({
      consultationId: r.consultation_id,
      department: names.departments.get(r.to_department_id) ?? r.to_department_id,
      requestedAt: Date.parse(r.requested_at),
      acceptedAt: r.accepted_at === null ? null : Date.parse(r.accepted_at),
      status: r.status,
    }),
  );
  return { consultations, relays };
}

export async function figuresFor(db: Db, period: Period): Promise<Figures> {
  const facts = await loadFacts(db, period);
  return computeFigures(period, facts.consultations, facts.relays);
}
