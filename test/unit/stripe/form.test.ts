import { describe, expect, it } from 'vitest';
import { parseForm } from '../../../infra/local/stripe/form.js';

describe('parseForm (Stripe form encoding)', () => {
  it('nests bracketed keys', () => {
    expect(parseForm('metadata[sessionId]=s1&invoice_settings[default_payment_method]=pm_1')).toEqual({
      metadata: { sessionId: 's1' },
      invoice_settings: { default_payment_method: 'pm_1' },
    });
  });

  it('reads indexed arrays (the SDK) and bracket arrays (curl) alike', () => {
    expect(parseForm('expand[0]=a&expand[1]=b')).toEqual({ expand: ['a', 'b'] });
    expect(parseForm('expand[]=a&expand[]=b')).toEqual({ expand: ['a', 'b'] });
  });

  it('builds arrays of objects for line items', () => {
    const f = parseForm(
      'line_items[0][quantity]=1&line_items[0][price_data][currency]=jpy&line_items[0][price_data][unit_amount]=500',
    );
    expect(f).toEqual({ line_items: [{ quantity: '1', price_data: { currency: 'jpy', unit_amount: '500' } }] });
  });

  it('decodes percent-encoding and plus signs', () => {
    expect(parseForm('success_url=http%3A%2F%2Fa%2Fok%3Fx%3D%7BCHECKOUT_SESSION_ID%7D&name=a+b')).toEqual({
      success_url: 'http://a/ok?x={CHECKOUT_SESSION_ID}',
      name: 'a b',
    });
  });

  it('drops prototype-polluting keys', () => {
    const f = parseForm('__proto__[x]=1&a[constructor]=2&ok=1');
    expect(f).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
