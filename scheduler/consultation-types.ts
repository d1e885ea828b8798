// Consultation types: what a consultation is about, which decides the documents the in-meeting app asks for. Built in:
// 一般の相談 (general) and おくやみ (after-death procedures, Hamada City's one-stop counter); an admin adds more by
// giving a type its own checklist (/admin/app). People see the display name, never the key.
import type { Db } from '../core/store/schema.ts';
import { referenceData } from '../core/store/reference.ts';
import type { Result } from '../core/errors.ts';
import { fail, fieldProblem, ok } from '../core/errors.ts';

export interface ConsultationType {
  /** The key kept with the consultation and used by the API (a-z, digits, hyphens). */
  readonly id: string;
  readonly ja: string;
  readonly en: string;
}

export const BUILT_IN_TYPES: ReadonlyArray<ConsultationType> = [
  { id: 'general', ja: '一般の相談', en: 'General consultation' },
  { id: 'after-death-procedures', ja: 'おくやみ（亡くなった後の手続き）', en: 'Procedures after a death' },
];

/** The built-in types, then those an admin added (a checklist saved under a new key), in key order. */
export function listConsultationTypes(db: Db): Promise<ConsultationType[]> {
  return referenceData(db, 'consultation_types', readConsultationTypes);
}

async function readConsultationTypes(db: Db): Promise<ConsultationType[]> {
  const saved = await db.selectFrom('app_content_versions').select('key').distinct().where('kind', '=', 'checklist').execute();
  const added = saved
    .map((r) => r.key)
    .filter((k) => !BUILT_IN_TYPES.some((t) => t.id === k))
    .sort()
    .map((k) => ({ id: k, ja: k, en: k }));
  return [...BUILT_IN_TYPES, ...added];
}

/** What people read for a type: its display name (a type an admin added is shown by its key). */
export function typeName(id: string): { ja: string; en: string } {
  const t = BUILT_IN_TYPES.find((x) => x.id === id);
  return t ? { ja: t.ja, en: t.en } : { ja: id, en: id };
}

/** A type given in a booking, or the refusal naming the known ones (never silently "general"). */
export async function resolveConsultationType(db: Db, given: string | undefined): Promise<Result<string>> {
  if (given === undefined) return ok('general');
  const types = await listConsultationTypes(db);
  if (types.some((t) => t.id === given)) return ok(given);
  return fail(
    fieldProblem(
      'consultationType',
      `相談の種類「${given}」はありません。使える種類: ${types.map((t) => `${t.id}（${t.ja}）`).join('、')}`,
      `Unknown consultation type "${given}". Known: ${types.map((t) => t.id).join(', ')}.`,
      { known: types.map((t) => t.id) },
    ),
  );
}
