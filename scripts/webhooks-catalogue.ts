import { eventCatalogue } from '../lib/app/event-catalogue.js';

export const catalogueStart = '<!-- event-catalogue:start (generated: npm run docs:events) -->';
export const catalogueEnd = '<!-- event-catalogue:end -->';

/** The README's event catalogue, rendered from each definition's description and sample. */
export function catalogueMarkdown(): string {
  const sections = [...eventCatalogue]
    .sort((a, b) => a.type.localeCompare(b.type))
    .map((definition) => [`#### \`${definition.type}\` (v${definition.version})`, '', definition.description, '', '```json', JSON.stringify(definition.sample, null, 2), '```'].join('\n'));
  return [catalogueStart, '', ...sections.flatMap((section) => [section, '']), catalogueEnd].join('\n');
}
