// Mail transports: SMTP when SMTP_URL is set; otherwise each message becomes an .eml file in $DATA_DIR/outbox/.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { Config } from '../core/config.ts';

export interface OutgoingMail {
  /** Stable per outbox row: a resend after a crash is the same message. */
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly ics?: { readonly method: 'REQUEST' | 'CANCEL'; readonly content: string };
  /** The consultation the message is about (the file outbox names its files after it). */
  readonly consultationId?: string;
}

/**
 * The mail server did not take a message. `permanent` (a 5xx reply: no such mailbox, refused) needs a person; a
 * temporary one (4xx, a dropped connection, a timeout) is tried again later. `reply` is the server's own words.
 */
export class MailError extends Error {
  readonly permanent: boolean;
  readonly responseCode: number | null;
  readonly reply: string;
  constructor(message: string, o: { permanent: boolean; responseCode: number | null; reply: string; cause?: unknown }) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'MailError';
    this.permanent = o.permanent;
    this.responseCode = o.responseCode;
    this.reply = o.reply;
  }
}

/** nodemailer's failure → a MailError that says whether to try again. */
export function mailErrorOf(error: unknown): MailError {
  if (error instanceof MailError) return error;
  const e = error as { responseCode?: unknown; response?: unknown; message?: unknown };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const reply = typeof e?.response === 'string' && e.response ? e.response : typeof e?.message === 'string' ? e.message : String(error);
  const permanent = code !== null && code >= 500 && code < 600;
  return new MailError(`${permanent ? 'the mail server refused the message' : 'the mail server could not take the message now'}: ${reply}`, {
    permanent,
    responseCode: code,
    reply,
    cause: error,
  });
}

/** What a person should check when a message to a citizen could not be sent, by the mail server's reply code. */
export function mailFailureNote(error: unknown): { ja: string; en: string } {
  const code = error instanceof MailError ? error.responseCode : null;
  if (code === 530 || code === 534 || code === 535)
    return {
      ja: '送信サーバーへのログインを断られたため、メールを送れませんでした（SMTP_URL の利用者名とパスワードを確かめてください。相談者のアドレスの問題ではありません）',
      en: 'The mail server refused our sign-in (check the user and password in SMTP_URL; not a problem with the citizen’s address)',
    };
  if (code === 552)
    return {
      ja: '相談者のメールボックスがいっぱいで、メールが届きませんでした（電話などでお知らせしてください）',
      en: 'The citizen’s mailbox is full (tell them by phone)',
    };
  if (code === 554 || code === 571)
    return {
      ja: 'メールサーバーが送信を断りました（迷惑メール対策などの可能性があります。送信サーバーの管理者に確かめてください）',
      en: 'The mail server refused the message (perhaps as spam; ask the mail server’s administrator)',
    };
  if (code !== null && code >= 500)
    return {
      ja: '相談者のメールアドレスが受け付けられませんでした（アドレスを確かめてください）',
      en: 'The citizen’s address was refused (check the address)',
    };
  return {
    ja: '相談者へのメールを何度か送ろうとしましたが、送れませんでした（送信サーバーにつながるか確かめてください）',
    en: 'The email to the citizen could not be sent after several tries (check that the mail server can be reached)',
  };
}

export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<void>;
}

function message(from: string, m: OutgoingMail): SendMailOptions {
  return {
    from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    headers: { 'Auto-Submitted': 'auto-generated' },
    ...(m.ics ? { icalEvent: { method: m.ics.method, filename: m.ics.method === 'CANCEL' ? 'cancel.ics' : 'invite.ics', content: m.ics.content } } : {}),
  };
}

/** nodemailer, loaded at the first message (a server that sends none, or not yet, does not hold it in memory). */
const lazyTransport = (options: Parameters<typeof import('nodemailer').createTransport>[0]) => {
  let made: Promise<Transporter> | undefined;
  return () => (made ??= import('nodemailer').then((m) => m.default.createTransport(options) as Transporter));
};

export function createSmtpTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = lazyTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(m) {
      try {
        await (await transporter()).sendMail(message(from, m));
      } catch (error) {
        throw mailErrorOf(error);
      }
    },
  };
}

/** The .eml files of one consultation start with its id (so that they can be erased with its personal data). */
export const emlPrefix = (consultationId: string) => `${consultationId}_`;

/**
 * One .eml per message, named after its consultation and Message-ID, written atomically (a resend overwrites the same
 * file). They hold citizens' names and addresses: the folder is the owner's only (0700), each file 0600.
 */
export function createFileTransport(dir: string, from: string): MailTransport {
  const composer = lazyTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'file',
    async send(m) {
      const info = await (await composer()).sendMail(message(from, m));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      const name = `${m.consultationId ? emlPrefix(m.consultationId) : ''}${m.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_')}.eml`;
      const tmp = path.join(dir, `.${name}.tmp`);
      await writeFile(tmp, info.message as Buffer, { mode: 0o600 });
      await rename(tmp, path.join(dir, name));
    },
  };
}

export function createMailTransport(config: Config): MailTransport {
  return config.mail.smtpUrl ? createSmtpTransport(config.mail.smtpUrl, config.mail.from) : createFileTransport(config.mail.outboxDir, config.mail.from);
}

/** The address part of MAIL_FROM, for the calendar organizer. */
export function fromAddress(from: string): { name: string; email: string } {
  const m = /^\s*"?([^"<]*)"?\s*<([^>]+)>\s*$/.exec(from);
  return m ? { name: m[1]!.trim() || m[2]!, email: m[2]! } : { name: from, email: from };
}
