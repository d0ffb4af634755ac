import { describe, expect, it } from 'vitest';
import { lastCodeInLog } from '../../../infra/local/cognito/cognito-users.js';

const ESC = String.fromCharCode(27);

/** One delivery as cognito-local prints it (consoleMessageSender: a boxen box inside a coloured log line). */
function delivery(to: string, code: string, username = '33de0593-abff-4360-915f-e7ef2f3418dc'): string {
  return [
    `[1795310549323] ${ESC}[32mINFO${ESC}[39m: ${ESC}[36m2f673252 SignUp ╭──────────────────────╮`,
    '│                                                       │',
    '│   Confirmation Code Delivery                          │',
    '│                                                       │',
    `│   Username:    ${username}   │`,
    `│   Destination: ${to}                     │`,
    `│   Code:        ${code}                                 │`,
    '│                                                       │',
    `╰───────────────────────────────────────────────────────╯${ESC}[39m`,
    '',
  ].join('\n');
}

describe('lastCodeInLog', () => {
  it("finds this address's code among other deliveries and log lines", () => {
    const log = [
      `[1] ${ESC}[32mINFO${ESC}[39m: Cognito Local running on http://127.0.0.1:9229`,
      delivery('bob@example.com', '111111'),
      delivery('Alice@Example.com', '868885'),
      '[2] INFO: AdminConfirmSignUp',
    ].join('\n');
    expect(lastCodeInLog(log, 'alice@example.com')).toBe('868885');
    expect(lastCodeInLog(log, 'bob@example.com')).toBe('111111');
  });

  it('takes the latest of several codes (a resend) and nothing for an address never sent one', () => {
    const log = delivery('alice@example.com', '123456') + delivery('alice@example.com', '654321');
    expect(lastCodeInLog(log, 'alice@example.com')).toBe('654321');
    expect(lastCodeInLog(log, 'carol@example.com')).toBeUndefined();
    expect(lastCodeInLog('', 'alice@example.com')).toBeUndefined();
  });

  it('ignores a box still being written: no code line yet, or one cut mid-number', () => {
    const box = delivery('alice@example.com', '123456');
    expect(lastCodeInLog(box.split('│   Code:')[0] ?? '', 'alice@example.com')).toBeUndefined();
    expect(lastCodeInLog(box.slice(0, box.indexOf('123456') + 3), 'alice@example.com')).toBeUndefined();
  });
});
