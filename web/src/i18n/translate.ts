/** Message lookup and `{placeholder}` interpolation; pure so both languages can be checked in node. */
import { en } from './messages-en.js';
import { ja, type MessageKey } from './messages-ja.js';

export type Lang = 'ja' | 'en';
export const LANGS: readonly Lang[] = ['ja', 'en'];
export type { MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

export const catalogues: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { ja, en };

const PLACEHOLDER = /\{(\w+)\}/g;

/** Placeholder names used by a message, sorted, so catalogues can be compared. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').sort();
}

export function translate(lang: Lang, key: MessageKey, params?: MessageParams): string {
  const message = catalogues[lang][key];
  if (!params) return message;
  return message.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isLang(value: unknown): value is Lang {
  return value === 'ja' || value === 'en';
}
