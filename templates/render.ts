// Renders one message (subject, text, HTML) from a template and its variables.
import type { TemplateContent } from './defaults.ts';
import { htmlEngine, textEngine } from './liquid.ts';

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export async function renderMessage(template: TemplateContent, variables: Record<string, unknown>): Promise<RenderedMessage> {
  const [subject, text, html] = await Promise.all([
    textEngine.parseAndRender(template.subject, variables),
    textEngine.parseAndRender(template.text, variables),
    htmlEngine.parseAndRender(template.html, variables),
  ]);
  const oneLine = subject.replace(/\s+/g, ' ').trim();
  return { subject: oneLine, text: `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`, html: withTitle(html, oneLine) };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A mail's HTML names itself (screen readers and mail clients read <title>): the subject, unless the template has one. */
export function withTitle(html: string, subject: string): string {
  if (/<title[\s>]/i.test(html) || !/<\/head>/i.test(html)) return html;
  return html.replace(/<\/head>/i, `<title>${escapeHtml(subject)}</title></head>`);
}
