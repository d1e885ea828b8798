// The bot's own cards (Adaptive Cards 1.3): which consultation /relay means, the /book form, and the question a Teams
// channel is asked when the bot is added to it. Pure.
import type { Card } from '../core/cards.ts';
import { card, submit, text } from '../core/cards.ts';

/** Which consultation does /relay mean? A choice of the candidates and one button (Webex shows at most five buttons). */
export function pickConsultationCard(o: { department: string; note: string; candidates: ReadonlyArray<{ id: string; label: string }> }): Card {
  return card(
    [
      text(`どの相談を${o.department}へおつなぎしますか？`, { weight: 'Bolder' }),
      text('Which consultation do you mean?', { isSubtle: true, size: 'Small' }),
      {
        type: 'Input.ChoiceSet',
        id: 'consultationId',
        label: '相談 / Consultation',
        style: 'expanded',
        isRequired: true,
        errorMessage: '相談を選んでください / Choose a consultation',
        ...(o.candidates[0] ? { value: o.candidates[0].id } : {}),
        choices: o.candidates.map((c) => ({ title: c.label, value: c.id })),
      },
    ],
    [submit(`${o.department}へおつなぎする / Relay`, { verb: 'relay', department: o.department, note: o.note }, 'positive')],
  );
}

/** A free start time in the /book form: shown as 「12月2日（水）08:30」, sent as 「2026-12-02 08:30」. */
export interface FormSlot {
  readonly title: string;
  readonly value: string;
}

/** /book without arguments: a form with the free times of the coming days (each once, whichever host), or why there is none. */
export function bookCard(o: { departments: ReadonlyArray<string>; department: string | null; slots: ReadonlyArray<FormSlot>; days: number }): Card {
  if (o.slots.length === 0) {
    return card([
      text('オンライン相談の予約 / Book a consultation', { size: 'Large', weight: 'Bolder' }),
      text(`${o.days}日先まで、空いている時間がありません。予約を移すか、管理者に相談用のアカウントを増やしてもらってください。`),
      text(`No free time in the next ${o.days} days.`, { isSubtle: true, size: 'Small' }),
    ]);
  }
  return card(
    [
      text('オンライン相談の予約 / Book a consultation', { size: 'Large', weight: 'Bolder' }),
      {
        type: 'Input.ChoiceSet',
        id: 'slot',
        label: '日時（空いている時間） / Free times',
        choices: o.slots.map((t) => ({ title: t.title, value: t.value })),
        style: 'compact',
        value: o.slots[0]!.value,
        isRequired: true,
        errorMessage: '日時を選んでください / Choose a time',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'duration',
        label: '時間 / Length',
        value: '60',
        choices: ['30', '45', '60', '90', '120'].map((m) => ({ title: `${m}分`, value: m })),
        style: 'compact',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'department',
        label: '担当課 / Department',
        choices: o.departments.map((d) => ({ title: d, value: d })),
        style: 'compact',
        ...((o.department ?? o.departments[0]) ? { value: o.department ?? o.departments[0] } : {}),
      },
      {
        type: 'Input.Text',
        id: 'name',
        label: '相談者のお名前 / Citizen name',
        isRequired: true,
        errorMessage: '相談者のお名前を入れてください / Enter the citizen name',
      },
      {
        type: 'Input.Text',
        id: 'email',
        label: 'メールアドレス / Email',
        style: 'Email',
        isRequired: true,
        errorMessage: 'メールアドレスを入れてください / Enter the email address',
      },
      { type: 'Input.Text', id: 'topic', label: '相談の内容（任意） / Topic', isMultiline: true },
    ],
    [submit('予約する / Book', { verb: 'book' }, 'positive')],
  );
}

/** When the bot is added to a Teams channel: which department's alerts should come here? */
export function linkChannelCard(o: { channel: string; offer: string; departments: ReadonlyArray<string> }): Card {
  return card(
    [
      text('このチャネルで、どの課への呼び出しを受けますか？', { weight: 'Bolder' }),
      text('Which department should receive relay alerts in this channel?', { isSubtle: true, size: 'Small' }),
      {
        type: 'Input.ChoiceSet',
        id: 'department',
        label: '課 / Department',
        choices: o.departments.map((d) => ({ title: d, value: d })),
        style: 'compact',
        ...(o.departments[0] ? { value: o.departments[0] } : {}),
      },
    ],
    [submit('この課の呼び出し先にする / Use for this department', { verb: 'link-channel', channel: o.channel, offer: o.offer }, 'positive')],
  );
}
