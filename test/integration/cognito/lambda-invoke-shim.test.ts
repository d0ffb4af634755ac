import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaInvokeShim, startLambdaInvokeShim } from '../../../infra/local/cognito/index.js';

describe('startLambdaInvokeShim', () => {
  const received: unknown[] = [];
  const reported: string[] = [];
  let shim: LambdaInvokeShim;
  let eventDone: () => void = () => undefined;
  const eventSeen = new Promise<void>((resolve) => {
    eventDone = resolve;
  });

  beforeAll(async () => {
    shim = await startLambdaInvokeShim({
      functions: {
        echo: async (event) => {
          received.push(event);
          return { echoed: event };
        },
        broken: async () => {
          throw new TypeError('customer id missing');
        },
        background: async (event) => {
          received.push(event);
          eventDone();
          return null;
        },
      },
      onFunctionError: (name, error) => reported.push(`${name}: ${error instanceof Error ? error.message : ''}`),
    });
  });
  afterAll(async () => {
    await shim?.close();
  });

  const invoke = (name: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${shim.endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
      method: 'POST',
      headers,
      body,
    });

  it('runs the named function with the JSON payload and answers with its result', async () => {
    const res = await invoke('echo', JSON.stringify({ triggerSource: 'PostConfirmation_ConfirmSignUp' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echoed: { triggerSource: 'PostConfirmation_ConfirmSignUp' } });
    expect(received.at(-1)).toEqual({ triggerSource: 'PostConfirmation_ConfirmSignUp' });
  });

  it('accepts a function ARN in place of the name', async () => {
    const res = await invoke('arn:aws:lambda:local:000000000000:function:echo', '{"n":1}');
    expect(await res.json()).toEqual({ echoed: { n: 1 } });
  });

  it('reports a thrown error as Lambda does: 200 with X-Amz-Function-Error: Unhandled', async () => {
    const res = await invoke('broken', '{}');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toEqual({ errorType: 'TypeError', errorMessage: 'customer id missing', trace: [] });
    expect(reported).toEqual(['broken: customer id missing']);
  });

  it('answers 404 ResourceNotFoundException for an unknown function and 400 for a non-JSON payload', async () => {
    const missing = await invoke('nope', '{}');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    const malformed = await invoke('echo', '{not json');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
  });

  it('accepts an Event invocation with 202 and runs the function afterwards', async () => {
    const res = await invoke('background', '{"async":true}', { 'x-amz-invocation-type': 'Event' });
    expect(res.status).toBe(202);
    await eventSeen;
    expect(received.at(-1)).toEqual({ async: true });
  });
});
