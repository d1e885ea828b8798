// Japanese national holidays, substitute holidays and 国民の休日, from @holiday-jp/holiday_jp (data through 2050).
import holidayJp from '@holiday-jp/holiday_jp';
import type { Bilingual } from '../../core/errors.ts';
import type { LocalDate } from '../../core/time.ts';

interface HolidayEntry {
  readonly name: string;
  readonly name_en: string;
}

let cache: ReadonlyMap<LocalDate, Bilingual> | undefined;

export function japaneseHolidays(): ReadonlyMap<LocalDate, Bilingual> {
  if (!cache) {
    const table = (holidayJp as unknown as { holidays: Record<string, HolidayEntry> }).holidays;
    cache = new Map(Object.entries(table).map(([date, h]) => [date, { ja: h.name, en: h.name_en }]));
  }
  return cache;
}
