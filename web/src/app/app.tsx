import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { Me } from '../api/schemas.js';
import { AuthScreen } from '../auth/auth-screen.js';
import { BalanceBanner } from '../billing/balance-banner.js';
import { HistoryScreen } from '../history/history-screen.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import { SessionScreen } from '../session/session-screen.js';
import { StationsScreen } from '../stations/stations-screen.js';
import { Header } from './header.js';
import { useServices } from './services.js';
import { useRoute } from './use-route.js';

const OperatorScreen = lazy(() => import('../operator/operator-screen.js'));

type AuthState = { status: 'checking' } | { status: 'signedOut'; notice?: MessageKey } | { status: 'signedIn' };

export function App() {
  const { t } = useI18n();
  const { api, auth } = useServices();
  const [route, navigate] = useRoute();
  const [authState, setAuthState] = useState<AuthState>({ status: 'checking' });
  const [me, setMe] = useState<Me | null>(null);
  const [meError, setMeError] = useState<MessageKey | null>(null);
  const [isOperator, setIsOperator] = useState(false);
  const [checkoutNotice] = useState(() => ('checkout' in route ? route.checkout : undefined));

  useEffect(() => {
    auth
      .currentUser()
      .then((user) => setAuthState(user ? { status: 'signedIn' } : { status: 'signedOut' }))
      .catch(() => setAuthState({ status: 'signedOut' }));
  }, [auth]);

  const signOut = useCallback(
    async (notice: MessageKey = 'auth.signedOut') => {
      await auth.signOut().catch(() => undefined);
      setMe(null);
      setIsOperator(false);
      setAuthState({ status: 'signedOut', notice });
    },
    [auth],
  );

  const refreshMe = useCallback(() => {
    api
      .me()
      .then((value) => {
        setMe(value);
        setMeError(null);
        if (value.isOperator) setIsOperator(true);
      })
      .catch((thrown: unknown) => {
        const error = toApiError(thrown);
        if (error.code === 'UNAUTHORIZED') void signOut('api.error.unauthorized');
        else setMeError(error.messageKey);
      });
  }, [api, signOut]);

  useEffect(() => {
    if (authState.status !== 'signedIn') return;
    refreshMe();
    auth
      .groups()
      .then((groups) => groups.includes('operators') && setIsOperator(true))
      .catch(() => undefined);
  }, [authState.status, auth, refreshMe]);

  if (authState.status === 'checking') {
    return <p aria-live="polite">{t('app.loading')}</p>;
  }
  if (authState.status === 'signedOut') {
    return (
      <>
        <Header route={null} showOperator={false} />
        <main id="main" tabIndex={-1}>
          <AuthScreen notice={authState.notice} onSignedIn={() => setAuthState({ status: 'signedIn' })} />
        </main>
      </>
    );
  }

  return (
    <>
      <Header route={route} navigate={navigate} showOperator={isOperator} onSignOut={() => void signOut()} />
      <main id="main" tabIndex={-1}>
        {checkoutNotice === 'paid' && route.name === 'stations' && (
          <p className="notice" role="status" data-testid="paid-notice">
            {t('banner.paidReturn')}
          </p>
        )}
        {checkoutNotice === 'cancelled' && route.name === 'stations' && (
          <p className="notice" role="status" data-testid="payment-cancelled-notice">
            {t('banner.cancelledReturn')}
          </p>
        )}
        {meError && (
          <div className="alert" role="alert">
            <p>{t(meError)}</p>
            <button type="button" onClick={refreshMe}>
              {t('api.retry')}
            </button>
          </div>
        )}
        {me && route.name !== 'session' && <BalanceBanner me={me} />}
        {!me && !meError && <p aria-live="polite">{t('common.loading')}</p>}
        {me && route.name === 'stations' && <StationsScreen me={me} navigate={navigate} refreshMe={refreshMe} />}
        {me && route.name === 'session' && (
          <SessionScreen
            key={route.id}
            id={route.id}
            checkout={route.checkout}
            navigate={navigate}
            refreshMe={refreshMe}
          />
        )}
        {me && route.name === 'history' && <HistoryScreen navigate={navigate} />}
        {me && route.name === 'operator' && (
          <Suspense fallback={<p aria-live="polite">{t('common.loading')}</p>}>
            <OperatorScreen allowed={isOperator} />
          </Suspense>
        )}
      </main>
    </>
  );
}
