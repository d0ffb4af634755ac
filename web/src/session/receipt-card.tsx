import type { ChargingSession, Receipt } from '../api/schemas.js';
import { useI18n } from '../i18n/i18n-context.js';
import { formatCardBrand, formatDateTime, formatKwh, formatPerKwh, formatYen } from '../lib/format.js';

function Row({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** The receipt: meter registers, energy, price, amounts, card and payment reference. */
export function ReceiptCard({ session, receipt }: { session: ChargingSession; receipt: Receipt | null | undefined }) {
  const { t, locale } = useI18n();
  if (!receipt) {
    return (
      <section className="card receipt" aria-labelledby="receipt-title" data-testid="receipt">
        <h2 id="receipt-title">{t('receipt.title')}</h2>
        <dl>
          {session.energyWh != null && (
            <Row label={t('receipt.energy')} value={formatKwh(session.energyWh, locale)} testId="receipt-energy" />
          )}
          <Row
            label={t('receipt.tariff')}
            value={formatPerKwh(session.tariff.milliYenPerKwh)}
            testId="receipt-tariff"
          />
          <Row
            label={t('receipt.sessionAmount')}
            value={session.amountYen != null ? formatYen(session.amountYen) : t('receipt.pending')}
            testId="receipt-amount"
          />
        </dl>
      </section>
    );
  }
  const brand = receipt.cardBrand ? formatCardBrand(receipt.cardBrand) : '';
  const card = receipt.cardLast4 ? `${brand} •••• ${receipt.cardLast4}`.trim() : '—';
  return (
    <section className="card receipt" aria-labelledby="receipt-title" data-testid="receipt">
      <h2 id="receipt-title">{t('receipt.title')}</h2>
      <dl>
        <Row
          label={t('receipt.startRegister')}
          value={formatKwh(receipt.startRegisterWh, locale)}
          testId="receipt-start-register"
        />
        <Row
          label={t('receipt.stopRegister')}
          value={formatKwh(receipt.stopRegisterWh, locale)}
          testId="receipt-stop-register"
        />
        <Row label={t('receipt.energy')} value={formatKwh(receipt.energyWh, locale)} testId="receipt-energy" />
        <Row label={t('receipt.tariff')} value={formatPerKwh(session.tariff.milliYenPerKwh)} testId="receipt-tariff" />
        <Row label={t('receipt.sessionAmount')} value={formatYen(receipt.sessionAmountYen)} testId="receipt-amount" />
        {receipt.carriedInYen > 0 && (
          <Row label={t('receipt.carriedIn')} value={formatYen(receipt.carriedInYen)} testId="receipt-carried-in" />
        )}
        <Row label={t('receipt.charged')} value={formatYen(receipt.chargedYen)} testId="receipt-charged" />
        <Row label={t('receipt.card')} value={card} testId="receipt-card" />
        {receipt.paymentIntentId && (
          <Row label={t('receipt.reference')} value={receipt.paymentIntentId} testId="receipt-reference" />
        )}
        {receipt.paidAt && (
          <Row label={t('receipt.paidAt')} value={formatDateTime(receipt.paidAt, locale)} testId="receipt-paid-at" />
        )}
      </dl>
    </section>
  );
}
