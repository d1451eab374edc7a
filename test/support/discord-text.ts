/** Reading the fake Discord's messages as a person sees them. */
import type { FakeDiscordMessage } from '../fakes/fake-discord.js';

/** What a reader sees of an embed text: markdown escapes and zero-width spaces removed. */
export const visible = (text: unknown) =>
  String(text ?? '')
    .replace(/\\([^\p{L}\p{N}\s])/gu, '$1')
    .replaceAll('\u200b', '');

/** Title, description and fields of every embed of a message, as one visible text. */
export function textOf(message: FakeDiscordMessage | undefined): string {
  if (!message) return '';
  const parts = [message.content];
  for (const embed of message.embeds) {
    parts.push(visible(embed['title']), visible(embed['description']));
    const fields = Array.isArray(embed['fields']) ? embed['fields'] : [];
    for (const field of fields) {
      if (field && typeof field === 'object') {
        parts.push(
          `${visible('name' in field ? field.name : '')}: ${visible('value' in field ? field.value : '')}`,
        );
      }
    }
  }
  return parts.join('\n');
}

/** The custom_id of a button on a message, by its label. */
export function buttonId(message: FakeDiscordMessage | undefined, label: string): string {
  for (const row of message?.components ?? []) {
    const buttons =
      row && typeof row === 'object' && 'components' in row && Array.isArray(row.components)
        ? row.components
        : [];
    for (const button of buttons) {
      if (button && typeof button === 'object' && 'label' in button && String(button.label).includes(label)) {
        return String('custom_id' in button ? button.custom_id : '');
      }
    }
  }
  throw new Error(`no button "${label}" on ${JSON.stringify(message?.components)}`);
}

/** The labels of every button on a message, in order. */
export function buttonLabels(message: FakeDiscordMessage | undefined): string[] {
  const labels: string[] = [];
  for (const row of message?.components ?? []) {
    const buttons =
      row && typeof row === 'object' && 'components' in row && Array.isArray(row.components)
        ? row.components
        : [];
    for (const button of buttons) {
      if (button && typeof button === 'object' && 'label' in button) labels.push(String(button.label));
    }
  }
  return labels;
}
