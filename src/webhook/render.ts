import { type Reply, renderPlainText } from '../chat/reply.js';
import { renderDiscord } from '../discord/render.js';
import type { WebhookFormat } from './config.js';

/**
 * Slack: a section block's text is at most 3000 characters
 * (api.slack.com/reference/block-kit/blocks#section), and a message at most 50 blocks.
 */
export const SLACK_LIMITS = { sectionTextChars: 3_000, blocks: 50 } as const;

/** Characters Slack's mrkdwn treats as markup, escaped as its docs ask (api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlackText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Splits text into pieces of at most `maxChars`, at line ends where it can; never an empty list. */
function splitText(text: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const cut = rest.lastIndexOf('\n', maxChars);
    const at = cut > 0 ? cut : maxChars;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  pieces.push(rest);
  return pieces;
}

/** A Slack incoming-webhook body: the title in bold, then the text in section blocks; `text` is the fallback. */
export function renderSlackBody(reply: Reply): Record<string, unknown> {
  const { title: _title, ...untitled } = reply;
  const plain = renderPlainText(untitled);
  const blocks: Array<Record<string, unknown>> = [];
  if (reply.title) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlackText(reply.title)}*` } });
  }
  for (const piece of splitText(escapeSlackText(plain), SLACK_LIMITS.sectionTextChars)) {
    if (piece.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: piece } });
  }
  return { text: escapeSlackText(renderPlainText(reply)), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/**
 * The neutral notification as JSON, for the user's own tooling: the Reply's data (title, tone,
 * blocks, silent) and its plain text; buttons are left out (nobody can press them).
 */
export function renderJsonBody(reply: Reply): Record<string, unknown> {
  return {
    title: reply.title ?? null,
    tone: reply.tone ?? null,
    silent: reply.silent === true,
    text: renderPlainText(reply),
    blocks: reply.blocks,
  };
}

/**
 * A reply as a webhook can carry it: no webhook format here uploads files, so an image becomes
 * a last line `(image: <alt>)` and the reply has no image.
 */
export function withImageAsText(reply: Reply): Reply {
  if (!reply.image) return reply;
  const { image, ...rest } = reply;
  return { ...rest, blocks: [...rest.blocks, { kind: 'text', text: `(image: ${image.alt})` }] };
}

/**
 * The bodies to POST for a reply, in order: Discord embeds and colours as the Discord adapter
 * renders them (without buttons: a channel webhook cannot carry them), one Slack message, or
 * one JSON document. An image is named by its alt text (`withImageAsText`), never uploaded.
 */
export function renderWebhookBodies(original: Reply, format: WebhookFormat): Array<Record<string, unknown>> {
  const reply = withImageAsText(original);
  if (format === 'slack') return [renderSlackBody(reply)];
  if (format === 'json') return [renderJsonBody(reply)];
  return renderDiscord({ ...reply, buttons: [] }).map(({ components: _buttons, ...payload }) => ({
    ...payload,
    allowed_mentions: { parse: [] },
  }));
}
