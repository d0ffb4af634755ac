import { type FormEvent, useId, useState } from 'react';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey, MessageParams } from '../i18n/translate.js';
import { describeAuthError } from '../lib/auth-errors.js';

type Mode = 'signIn' | 'signUp' | 'confirm';
interface Notice {
  key: MessageKey;
  params?: MessageParams;
}

const TITLE: Record<Mode, MessageKey> = {
  signIn: 'auth.signIn.title',
  signUp: 'auth.signUp.title',
  confirm: 'auth.confirm.title',
};

export function AuthScreen({ onSignedIn, notice }: { onSignedIn: () => void; notice?: MessageKey }) {
  const { t } = useI18n();
  const { auth } = useServices();
  const ids = { email: useId(), password: useId(), hint: useId(), code: useId() };
  const [mode, setMode] = useState<Mode>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const [info, setInfo] = useState<Notice | null>(notice ? { key: notice } : null);

  function switchTo(next: Mode, message: Notice | null = null) {
    setMode(next);
    setError(null);
    setInfo(message);
  }

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (thrown) {
      const view = describeAuthError(thrown);
      if (view.needsConfirmation) switchTo('confirm');
      setError(view.key);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      if (mode === 'signUp') {
        const result = await auth.signUp(email.trim(), password);
        if (result === 'done') switchTo('signIn', { key: 'auth.confirmed' });
        else switchTo('confirm', { key: 'auth.codeSent', params: { email: email.trim() } });
      } else if (mode === 'confirm') {
        await auth.confirm(email.trim(), code.trim());
        if (!password) return switchTo('signIn', { key: 'auth.confirmed' });
        const result = await auth.signIn(email.trim(), password);
        if (result === 'signedIn') onSignedIn();
      } else {
        const result = await auth.signIn(email.trim(), password);
        if (result === 'needsConfirmation') switchTo('confirm', { key: 'auth.error.notConfirmed' });
        else onSignedIn();
      }
    });
  }

  function resend() {
    void run(async () => {
      await auth.resendCode(email.trim());
      setInfo({ key: 'auth.codeResent' });
    });
  }

  const submitLabel: MessageKey =
    mode === 'signUp' ? 'auth.submitSignUp' : mode === 'confirm' ? 'auth.submitConfirm' : 'auth.submitSignIn';

  return (
    <section className="card auth" aria-labelledby="auth-title" data-testid={`auth-${mode}`}>
      <h1 id="auth-title">{t(TITLE[mode])}</h1>
      {info && (
        <p className="notice" role="status" data-testid="auth-info">
          {t(info.key, info.params)}
        </p>
      )}
      {error && (
        <p className="alert" role="alert" data-testid="auth-error">
          {t(error)}
        </p>
      )}
      <form onSubmit={submit} aria-busy={busy}>
        <label htmlFor={ids.email}>{t('auth.email')}</label>
        <input
          id={ids.email}
          data-testid="auth-email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          value={email}
          readOnly={mode === 'confirm' && email !== ''}
          onChange={(e) => setEmail(e.target.value)}
        />
        {mode !== 'confirm' && (
          <>
            <label htmlFor={ids.password}>{t('auth.password')}</label>
            <input
              id={ids.password}
              data-testid="auth-password"
              type="password"
              autoComplete={mode === 'signUp' ? 'new-password' : 'current-password'}
              required
              minLength={mode === 'signUp' ? 8 : undefined}
              aria-describedby={mode === 'signUp' ? ids.hint : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {mode === 'signUp' && (
              <p id={ids.hint} className="hint">
                {t('auth.passwordHint')}
              </p>
            )}
          </>
        )}
        {mode === 'confirm' && (
          <>
            <label htmlFor={ids.code}>{t('auth.code')}</label>
            <input
              id={ids.code}
              data-testid="auth-code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </>
        )}
        <button type="submit" className="primary" data-testid="auth-submit" disabled={busy}>
          {busy ? t('auth.working') : t(submitLabel)}
        </button>
      </form>
      <div className="auth-links">
        {mode === 'confirm' && (
          <button type="button" className="link" data-testid="auth-resend" onClick={resend} disabled={busy}>
            {t('auth.resendCode')}
          </button>
        )}
        {mode !== 'signUp' && (
          <button type="button" className="link" data-testid="auth-to-signup" onClick={() => switchTo('signUp')}>
            {t('auth.toSignUp')}
          </button>
        )}
        {mode !== 'signIn' && (
          <button type="button" className="link" data-testid="auth-to-signin" onClick={() => switchTo('signIn')}>
            {t('auth.toSignIn')}
          </button>
        )}
      </div>
    </section>
  );
}
