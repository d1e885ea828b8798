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
  return { subject: subject.replace(/\s+/g, ' ').trim(), text: `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`, html };
}
