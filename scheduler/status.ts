// Consultation status and its transitions (DESIGN.md). Pure: lifecycle.ts is the one place that applies them.
import type { Result } from '../core/errors.ts';
import { fail, ok, problem } from '../core/errors.ts';

export const CONSULTATION_STATUSES = ['booked', 'meeting_ready', 'invited', 'in_progress', 'completed', 'cancelled', 'needs_attention'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

export type ConsultationEvent = 'meeting_created' | 'invitation_sent' | 'started' | 'completed' | 'cancelled' | 'provider_failed' | 'retried';

const STATUS_JA: Record<ConsultationStatus, string> = {
  booked: '予約済み（会議の準備中）',
  meeting_ready: '会議準備完了',
  invited: '案内送信済み',
  in_progress: '相談中',
  completed: '完了',
  cancelled: '取消済み',
  needs_attention: '要対応',
};

export function statusLabelJa(status: ConsultationStatus): string {
  return STATUS_JA[status];
}

export function isOpen(status: ConsultationStatus): boolean {
  return status !== 'completed' && status !== 'cancelled';
}

/** A consultation may be moved until it has started. */
export function canReschedule(status: ConsultationStatus): boolean {
  return isOpen(status) && status !== 'in_progress';
}

function next(status: ConsultationStatus, event: ConsultationEvent): ConsultationStatus | null {
  switch (event) {
    case 'meeting_created':
      return status === 'booked' || status === 'needs_attention' ? 'meeting_ready' : status === 'meeting_ready' || status === 'invited' ? status : null;
    case 'invitation_sent':
      return status === 'meeting_ready' || status === 'invited' ? 'invited' : null;
    case 'started':
      return status === 'meeting_ready' || status === 'invited' ? 'in_progress' : null;
    case 'completed':
      // At the end of its time, or when staff say it is done (it may never have been seen to start).
      return status === 'in_progress' || status === 'meeting_ready' || status === 'invited' ? 'completed' : null;
    case 'cancelled':
      return isOpen(status) ? 'cancelled' : null;
    case 'provider_failed':
      return isOpen(status) && status !== 'in_progress' ? 'needs_attention' : null;
    case 'retried':
      return status === 'needs_attention' ? 'booked' : null;
  }
}

export function transition(status: ConsultationStatus, event: ConsultationEvent): Result<ConsultationStatus> {
  const to = next(status, event);
  if (to !== null) return ok(to);
  return fail(
    problem(
      'invalid_state',
      `この相談は「${STATUS_JA[status]}」のため、この操作はできません。`,
      `This consultation is ${status}; "${event}" is not possible now.`,
      { extra: { consultationStatus: status } },
    ),
  );
}
