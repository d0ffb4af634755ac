/** cdk-nag AwsSolutions, the reasons behind every acknowledged finding, and a template snapshot. */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStage } from './synth-helpers.js';

let s: ReturnType<typeof synthStage>;

beforeAll(() => {
  s = synthStage('dev');
}, 120_000);

function acknowledgments(): { path: string; id: string; reason: string }[] {
  return s.app.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason })),
        ),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
    const findings = report.violations.map(
      (v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`,
    );
    expect(findings).toEqual([]);
  }, 60_000);

  it('explains every acknowledged finding in a written reason', () => {
    const acks = acknowledgments();
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id, a.path).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(a.reason.length, `${a.id} @ ${a.path}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges wildcards only where AWS offers no narrower resource', () => {
    const wildcard = acknowledgments()
      .filter((a) => a.id.includes('IAM5'))
      .map((a) => a.id.replace(/^.*?AwsSolutions-IAM5\[/, '').replace(/\]$/, ''));
    const allowed = [
      /^Resource::\*$/, // X-Ray, iot:DescribeEndpoint
      /^Resource::<Backend\w+Fn[0-9A-F]{8}\.Arn>:\*$/, // AppSync invoking a function's versions
      /^Resource::arn:<AWS::Partition>:iot:[\w-]+:\d{12}:topic\/ev\/v1\/st\/\*\/cmd$/, // any station's cmd topic
      /^Action::kms:GenerateDataKey\*$/, // publishing to the encrypted alarm topic (on its one key)
    ];
    for (const w of wildcard)
      expect(
        allowed.some((re) => re.test(w)),
        w,
      ).toBe(true);
  });
});

describe('template snapshot', () => {
  it('matches, with asset hashes and contract texts normalized', () => {
    const text = JSON.stringify(s.json, null, 1)
      .replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>$1')
      .replace(/"Definition": ".*?(?<!\\)"/g, '"Definition": "<contracts/schema.graphql>"')
      .replace(/"Sql": ".*?(?<!\\)"/g, '"Sql": "<iot sql>"');
    expect(JSON.parse(text)).toMatchSnapshot();
  });
});
