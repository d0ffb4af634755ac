import { useI18n } from '../i18n/i18n-context.js';
import type { Lang } from '../i18n/translate.js';
import { type Route, routeToPath } from '../lib/route.js';

interface Props {
  route: Route | null;
  navigate?: (route: Route) => void;
  showOperator: boolean;
  onSignOut?: () => void;
}

export function Header({ route, navigate, showOperator, onSignOut }: Props) {
  const { t, lang, setLang } = useI18n();
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  const link = (target: Route, label: string, testId: string) =>
    navigate && (
      <li>
        <a
          href={routeToPath(target)}
          aria-current={route?.name === target.name ? 'page' : undefined}
          data-testid={testId}
          onClick={(event) => {
            event.preventDefault();
            navigate(target);
          }}
        >
          {label}
        </a>
      </li>
    );
  return (
    <header className="top">
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <div className="top-row">
        <p className="brand">
          <span aria-hidden="true">⚡</span> {t('app.title')}
        </p>
        <button
          type="button"
          className="lang"
          lang={other}
          aria-label={t('lang.switchLabel')}
          data-testid="lang-switch"
          onClick={() => setLang(other)}
        >
          {t('lang.switch')}
        </button>
      </div>
      {navigate && (
        <nav aria-label={t('nav.main')}>
          <ul>
            {link({ name: 'stations' }, t('nav.stations'), 'nav-stations')}
            {link({ name: 'history' }, t('nav.history'), 'nav-history')}
            {showOperator && link({ name: 'operator' }, t('nav.operator'), 'nav-operator')}
            {onSignOut && (
              <li>
                <button type="button" className="link" data-testid="sign-out" onClick={onSignOut}>
                  {t('nav.signOut')}
                </button>
              </li>
            )}
          </ul>
        </nav>
      )}
    </header>
  );
}
