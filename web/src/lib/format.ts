/**
 * Display formatting. Inputs are the API's integers (yen, Wh, milli-yen, W); nothing here rounds
 * money that is later billed — these strings are for eyes only.
 */

// ICU renders JPY in ja-JP with the full-width sign (U+FFE5); the app shows the ASCII-width ¥ in both languages.
const FULL_WIDTH_YEN = /\uFFE5/g;

const yenFormat = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' });
const milliYenFormat = new Intl.NumberFormat('ja-JP', {
  style: 'currency',
  currency: 'JPY',
  minimumFractionDigits: 0,
  maximumFractionDigits: 3,
});

/** `1234` → `¥1,234`. */
export function formatYen(yen: number): string {
  return yenFormat.format(yen).replace(FULL_WIDTH_YEN, '¥');
}

/** Milli-yen (55500) → `¥55.5`: fractional yen stay exact up to three decimals. */
export function formatMilliYen(milliYen: number): string {
  return milliYenFormat.format(milliYen / 1000).replace(FULL_WIDTH_YEN, '¥');
}

/** Decimals that keep a live reading readable: 10 Wh steps below 100 kWh, 100 Wh steps above. */
export function kwhDecimals(wh: number): number {
  return Math.abs(wh) < 100_000 ? 2 : 1;
}

/** Integer Wh → `12.34 kWh` in the given locale. */
export function formatKwh(wh: number, locale: string): string {
  const digits = kwhDecimals(wh);
  const n = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${n.format(wh / 1000)} kWh`;
}

/** Watts → `3.2 kW`. */
export function formatKw(watts: number, locale: string): string {
  const n = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${n.format(Math.max(0, watts) / 1000)} kW`;
}

/** Rated power: `6 kW`, `3.2 kW`, `7.4 kW`. */
export function formatRating(watts: number, locale: string): string {
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return `${n.format(watts / 1000)} kW`;
}

/** Tariff per kWh (milli-yen) → `¥55.5/kWh`. */
export function formatPerKwh(milliYenPerKwh: number): string {
  return `${formatMilliYen(milliYenPerKwh)}/kWh`;
}

// Stripe reports brands as lower-case ids (`visa`, `amex`); receipts show the names printed on cards.
const CARD_BRAND_NAMES: Readonly<Record<string, string>> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  jcb: 'JCB',
  diners: 'Diners Club',
  discover: 'Discover',
  unionpay: 'UnionPay',
};

/** `visa` → `Visa`; an unknown id is shown as given. */
export function formatCardBrand(brand: string): string {
  return CARD_BRAND_NAMES[brand.toLowerCase()] ?? brand;
}

/** An ISO instant as date and time in the driver's locale and time zone. */
export function formatDateTime(iso: string, locale: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

/** An ISO instant as a time of day in the driver's locale and time zone. */
export function formatTime(iso: string, locale: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(date);
}

/** Elapsed milliseconds → `m:ss` below an hour, `h:mm:ss` from an hour on; negative counts as zero. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The locale for numbers and times: the first of the browser's preferred languages that matches the
 * chosen UI language (so an `en-GB` phone gets day-first dates), else a default for that language.
 */
export function resolveLocale(lang: 'ja' | 'en', preferred: readonly string[]): string {
  const match = preferred.find((tag) => tag.toLowerCase().split('-')[0] === lang);
  if (match) return match;
  return lang === 'ja' ? 'ja-JP' : 'en-US';
}
