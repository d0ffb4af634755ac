import { useState } from 'react';
import type { Me } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import { formatYen } from '../lib/format.js';

/** Opens the hosted Checkout page for everything owed (payOutstanding). */
export function PayNowButton() {
  const { t } = useI18n();
  const { api, openExternal } = useServices();
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  async function payNow() {
    setOpening(true);
    setError(null);
    try {
      const link = await api.payOutstanding();
      openExternal(link.url);
    } catch (thrown) {
      setError(toApiError(thrown).messageKey);
      setOpening(false);
    }
  }

  return (
    <>
      {error && (
        <p className="alert-inline" role="alert" data-testid="pay-now-error">
          {t(error)}
        </p>
      )}
      <button type="button" className="primary" data-testid="pay-now" onClick={payNow} disabled={opening}>
        {opening ? t('banner.opening') : t('banner.payNow')}
      </button>
    </>
  );
}

/** Tells the driver about money owed; when it blocks new sessions, offers to pay it on a hosted page. */
export function BalanceBanner({ me }: { me: Me }) {
  const { t } = useI18n();
  if (me.blocked || me.outstandingYen > 0) {
    return (
      <section className="banner banner-problem" role="alert" data-testid="balance-banner">
        <p data-testid="balance-banner-text">{t('banner.blocked', { amount: formatYen(me.outstandingYen) })}</p>
        <PayNowButton />
      </section>
    );
  }
  if (me.balanceYen > 0) {
    return (
      <p className="banner banner-info" role="status" data-testid="balance-note">
        {t('banner.balance', { amount: formatYen(me.balanceYen) })}
      </p>
    );
  }
  return null;
}
