import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createAmplifyTransport } from './api/amplify-transport.js';
import { createEvApi } from './api/ev-api.js';
import { App } from './app/app.js';
import { type Services, ServicesProvider } from './app/services.js';
import { createAuthClient } from './auth/auth-client.js';
import { configureAmplify, loadRuntimeConfig } from './config/amplify-setup.js';
import { resolveAuthFlowType } from './config/runtime-config.js';
import { I18nProvider, useI18n } from './i18n/i18n-context.js';
import './styles.css';
import './screens.css';

type Boot = { status: 'loading' } | { status: 'failed' } | { status: 'ready'; services: Services };

function Root() {
  const { t } = useI18n();
  const [boot, setBoot] = useState<Boot>({ status: 'loading' });

  useEffect(() => {
    loadRuntimeConfig()
      .then((config) => {
        configureAmplify(config);
        setBoot({
          status: 'ready',
          services: {
            api: createEvApi(createAmplifyTransport()),
            auth: createAuthClient(resolveAuthFlowType(config)),
            openExternal: (url) => window.location.assign(url),
          },
        });
      })
      .catch(() => setBoot({ status: 'failed' }));
  }, []);

  if (boot.status === 'loading') return <p aria-live="polite">{t('app.loading')}</p>;
  if (boot.status === 'failed') {
    return (
      <p className="alert" role="alert" data-testid="config-error">
        {t('app.configError')}
      </p>
    );
  }
  return (
    <ServicesProvider services={boot.services}>
      <App />
    </ServicesProvider>
  );
}

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <I18nProvider>
        <Root />
      </I18nProvider>
    </StrictMode>,
  );
}
