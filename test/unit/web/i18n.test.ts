import { describe, expect, it } from 'vitest';
import { SESSION_STATES, STATION_STATUSES } from '../../../web/src/api/schemas.js';
import { ja } from '../../../web/src/i18n/messages-ja.js';
import { catalogues, LANGS, placeholdersOf, translate } from '../../../web/src/i18n/translate.js';

const keys = Object.keys(ja).sort();

describe('message catalogues', () => {
  it.each(LANGS)('%s has exactly the Japanese keys', (lang) => {
    expect(Object.keys(catalogues[lang]).sort()).toEqual(keys);
  });

  it.each(LANGS)('%s has no empty message', (lang) => {
    const empty = Object.entries(catalogues[lang]).filter(([, text]) => text.trim() === '');
    expect(empty).toEqual([]);
  });

  it('uses the same placeholders in every language', () => {
    const byLang = LANGS.map((lang) => new Map(Object.entries(catalogues[lang])));
    const mismatched = Object.entries(ja).filter(([key, text]) => {
      const expected = placeholdersOf(text).join();
      return byLang.some((messages) => placeholdersOf(messages.get(key) ?? '').join() !== expected);
    });
    expect(mismatched).toEqual([]);
  });

  it('names every session state and station status', () => {
    for (const state of SESSION_STATES) expect(keys).toContain(`session.state.${state}`);
    for (const status of STATION_STATUSES) expect(keys).toContain(`station.status.${status}`);
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'banner.blocked', { amount: '¥1,234' })).toBe(
      'An unpaid balance of ¥1,234 is blocking new sessions.',
    );
    expect(translate('ja', 'auth.codeSent', { email: 'a@example.com' })).toBe(
      'a@example.com に確認コードを送信しました。',
    );
  });
  it('leaves a placeholder visible when its value is missing', () => {
    expect(translate('en', 'station.rating', {})).toBe('Up to {power}');
  });
});
