// The relay's cards (Adaptive Cards 1.3, rendered by Webex and Teams alike): the alert a department gets (the chat
// equivalent of the buzzer and the flashing lamp), and the choices a requester gets when nobody answers. Pure.
import type { Card } from '../core/cards.ts';
import { card, submit, text } from '../core/cards.ts';

export interface AlertView {
  readonly relayId: string;
  readonly consultationId: string;
  readonly consultationType: string;
  readonly toDepartment: string;
  readonly fromDepartment: string;
  readonly requester: string;
  readonly note: string;
  readonly waitingMinutes: number;
  readonly position: number;
  readonly escalated: boolean;
  readonly mention: string;
}

/** The buzzer and the flashing lamp: a department is asked to take a consultation over. */
export function alertCard(a: AlertView): Card {
  return card(
    [
      text(a.escalated ? `【再呼び出し】${a.toDepartment}へのおつなぎ（${a.waitingMinutes}分お待ちです）` : `【呼び出し】${a.toDepartment}へのおつなぎ`, {
        size: 'Large',
        weight: 'Bolder',
        color: a.escalated ? 'Attention' : 'Accent',
      }),
      ...(a.mention ? [text(a.mention)] : []),
      {
        type: 'FactSet',
        facts: [
          { title: '相談', value: `#${a.consultationId}（${a.consultationType}）` },
          { title: '依頼元', value: `${a.fromDepartment} ${a.requester}` },
          { title: 'メモ', value: a.note || '（なし）' },
          { title: '待ち時間', value: `${a.waitingMinutes}分` },
          { title: '順番', value: `${a.position}番目` },
        ],
      },
      text(`Relay to ${a.toDepartment}: consultation #${a.consultationId}, waiting ${a.waitingMinutes} min, position ${a.position}.`, {
        isSubtle: true,
        size: 'Small',
      }),
    ],
    [
      submit('対応する / Accept', { verb: 'accept', relayId: a.relayId }, 'positive'),
      submit('対応できない / Decline', { verb: 'decline', relayId: a.relayId }, 'destructive'),
    ],
  );
}

/** For the requester when nobody has answered, or the department declined. */
export function optionsCard(o: {
  relayId: string;
  consultationId: string;
  toDepartment: string;
  why: 'escalated' | 'declined' | 'nobody_on_duty';
  departments: ReadonlyArray<string>;
}): Card {
  const head = {
    escalated: `${o.toDepartment}からまだ応答がありません（相談 #${o.consultationId}）。もう一度、全員を呼び出しました。`,
    declined: `${o.toDepartment}は今は対応できません（相談 #${o.consultationId}）。`,
    nobody_on_duty: `${o.toDepartment}にはいま当番の方がいません（相談 #${o.consultationId}）。課の全員を呼び出しています。`,
  }[o.why];
  const en = {
    escalated: 'No answer yet; everyone has been alerted again.',
    declined: 'The department cannot take it now.',
    nobody_on_duty: 'Nobody is on duty there; everyone in the department is being alerted.',
  }[o.why];
  const waiting = o.why !== 'declined';
  return card(
    [
      text(head, { weight: 'Bolder' }),
      text(en, { isSubtle: true, size: 'Small' }),
      ...(o.why === 'nobody_on_duty'
        ? [text('このまま待つほか、ほかの課へおつなぎする、後で課から相談者へ電話する（折り返し）、日時を決めて予約する（/book）こともできます。')]
        : []),
      {
        type: 'Input.ChoiceSet',
        id: 'department',
        label: 'ほかの課へおつなぎする場合 / Relay elsewhere',
        choices: o.departments.map((d) => ({ title: d, value: d })),
        style: 'compact',
      },
    ],
    [
      ...(waiting ? [submit('このまま待つ / Keep waiting', { verb: 'keep-waiting', relayId: o.relayId })] : []),
      submit('選んだ課へおつなぎ / Relay there', { verb: 'reroute', relayId: o.relayId }),
      ...(waiting
        ? [
            submit(
              o.why === 'nobody_on_duty' ? 'やめて折り返しにする / Call back later' : 'おつなぎをやめる / Cancel',
              { verb: 'cancel-relay', relayId: o.relayId },
              'destructive',
            ),
          ]
        : []),
    ],
  );
}
