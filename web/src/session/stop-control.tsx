import { useRef, useState } from 'react';
import type { ChargingSession } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';

/** Stop, with a native modal dialog for confirmation (focus trap and Escape come with it). */
export function StopControl({ sessionId, onStopped }: { sessionId: string; onStopped: (s: ChargingSession) => void }) {
  const { t } = useI18n();
  const { api } = useServices();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  async function confirmStop() {
    dialog.current?.close();
    setBusy(true);
    setError(null);
    try {
      onStopped(await api.stopCharge(sessionId));
    } catch (thrown) {
      setError(toApiError(thrown).messageKey);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stop">
      {error && (
        <p className="alert" role="alert" data-testid="stop-error">
          {t(error)}
        </p>
      )}
      <button
        type="button"
        className="danger"
        data-testid="stop"
        disabled={busy}
        aria-haspopup="dialog"
        onClick={() => dialog.current?.showModal()}
      >
        {busy ? t('session.state.STOPPING') : t('session.stop')}
      </button>
      <dialog ref={dialog} aria-labelledby="stop-title" aria-describedby="stop-body" data-testid="stop-dialog">
        <h2 id="stop-title">{t('session.stopConfirmTitle')}</h2>
        <p id="stop-body">{t('session.stopConfirmBody')}</p>
        <div className="dialog-actions">
          <button type="button" data-testid="stop-cancel" onClick={() => dialog.current?.close()}>
            {t('session.stopConfirmNo')}
          </button>
          <button type="button" className="danger" data-testid="stop-confirm" onClick={confirmStop}>
            {t('session.stopConfirmYes')}
          </button>
        </div>
      </dialog>
    </div>
  );
}
