// Mail transports: SMTP when SMTP_URL is set; otherwise each message becomes an .eml file in $DATA_DIR/outbox/.
import { mkdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import type { Config } from '../core/config.ts';

export interface OutgoingMail {
  /** Stable per outbox row: a resend after a crash is the same message. */
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly ics?: { readonly method: 'REQUEST' | 'CANCEL'; readonly content: string };
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

export function createSmtpTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(m) {
      await transporter.sendMail(message(from, m));
    },
  };
}

/** One .eml per message, named after its Message-ID, written atomically (a resend overwrites the same file). */
export function createFileTransport(dir: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'file',
    async send(m) {
      const info = await composer.sendMail(message(from, m));
      await mkdir(dir, { recursive: true });
      const name = `${m.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_')}.eml`;
      const tmp = path.join(dir, `.${name}.tmp`);
      await writeFile(tmp, info.message as Buffer);
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
