import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { resolveLocale } from '../lib/format.js';
import { isLang, type Lang, type Translate, translate } from './translate.js';

const STORAGE_KEY = 'ev.lang';

export interface I18n {
  lang: Lang;
  /** BCP 47 locale for numbers and times. */
  locale: string;
  t: Translate;
  setLang(lang: Lang): void;
}

const I18nContext = createContext<I18n | null>(null);

function storedLang(): Lang {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isLang(value) ? value : 'ja';
  } catch {
    return 'ja';
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private browsing can refuse storage; the switch still works for this visit.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);

  const value = useMemo<I18n>(
    () => ({
      lang,
      locale: resolveLocale(lang, navigator.languages ?? [navigator.language]),
      t: (key, params) => translate(lang, key, params),
      setLang,
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
