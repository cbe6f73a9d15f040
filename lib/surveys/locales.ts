import type { LocalizedText } from './definition.js';

/**
 * Given texts per locale, the caller's preferred locales (most preferred first; undefined
 * skipped) and the survey's default, returns the best text and its locale: an exact match, then
 * the same language ("de-AT" → "de", "de" → "de-DE"), then the default locale.
 */
export function resolveText(texts: LocalizedText[], preferred: Array<string | null | undefined>, defaultLocale: string): LocalizedText {
  const norm = (l: string) => l.toLowerCase().replace('_', '-');
  for (const wanted of preferred) {
    if (!wanted) continue;
    const exact = texts.find((t) => norm(t.locale) === norm(wanted));
    if (exact) return exact;
    const language = norm(wanted).split('-')[0];
    const sameLanguage = texts.find((t) => norm(t.locale).split('-')[0] === language);
    if (sameLanguage) return sameLanguage;
  }
  return texts.find((t) => t.locale === defaultLocale) ?? texts[0] ?? { locale: defaultLocale, text: '' };
}
