// The shape of a set-up check: lines a person reads, each passed or failed, with what to do about a failure.

export interface CheckLine {
  readonly ok: boolean;
  readonly ja: string;
  readonly en: string;
}

export const pass = (ja: string, en: string): CheckLine => ({ ok: true, ja, en });
export const failed = (ja: string, en: string): CheckLine => ({ ok: false, ja, en });

export function formatCheck(lines: ReadonlyArray<CheckLine>): string {
  return lines.map((l) => `${l.ok ? '✔' : '✖'} ${l.ja}\n  ${l.en}`).join('\n');
}
