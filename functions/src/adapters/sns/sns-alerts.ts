import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Alert, Alerts } from '../../ports/alerts.port.js';
import type { Logger } from '../../ports/logger.port.js';
import type { CredentialsProvider } from '../appsync/appsync-iam-client.js';
import { NodeSha256 } from '../appsync/node-sha256.js';

export interface SnsAlertsOptions {
  topicArn: string;
  region: string;
  credentials: CredentialsProvider;
  /** Default `https://sns.{region}.amazonaws.com/`; tests point it at a loopback server. */
  endpoint?: string;
  timeoutMs?: number;
  /** Where every alert goes first (LogAlerts: the `ALERT` log line and the operator view's list). */
  inner: Alerts;
  logger: Logger;
  now?: () => Date;
}

export class SnsPublishError extends Error {
  override readonly name = 'SnsPublishError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`SNS Publish failed (${status}${code ? ` ${code}` : ''})`);
  }
}

/**
 * Cloud alerts: each one is logged and listed by `inner`, then published to an SNS topic a person
 * subscribes to. SNS's query API (form-encoded `Action=Publish`, SigV4) is called directly with the
 * signer the AWS SDK itself uses — @aws-sdk/client-sns is not a dependency. A failed publish is logged,
 * not thrown: the alert is already in the log, whose `ALERT` metric alarm reaches the same topic.
 */
export class SnsAlerts implements Alerts {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(private readonly opts: SnsAlertsOptions) {
    this.url = new URL(opts.endpoint ?? `https://sns.${opts.region}.amazonaws.com/`);
    this.signer = new SignatureV4({
      service: 'sns',
      region: opts.region,
      credentials: opts.credentials,
      sha256: NodeSha256,
    });
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.now = opts.now ?? (() => new Date());
  }

  async raise(alert: Alert): Promise<void> {
    await this.opts.inner.raise(alert);
    try {
      await this.publish(alert);
    } catch (e) {
      this.opts.logger.error('alert not published to SNS', { code: alert.code, error: String(e) });
    }
  }

  /** Publishes one alert; resolves to SNS's MessageId. */
  async publish(alert: Alert): Promise<string> {
    const body = new URLSearchParams({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: this.opts.topicArn,
      Subject: subjectOf(alert),
      Message: JSON.stringify({ ...alert, at: this.now().toISOString() }),
    }).toString();
    const request = new HttpRequest({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: this.url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: this.url.host },
      body,
    });
    const signed = await this.signer.sign(request);
    // fetch sets Host from the URL (the same value that was signed).
    const { host: _host, ...headers } = signed.headers;
    const res = await fetch(this.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new SnsPublishError(res.status, tag(text, 'Code'));
    const id = tag(text, 'MessageId');
    if (!id) throw new SnsPublishError(res.status, 'NoMessageId');
    return id;
  }
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
function subjectOf(alert: Alert): string {
  const subject = `ev-charge ${alert.code}${alert.stationId ? ` at ${alert.stationId}` : ''}`;
  return subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
