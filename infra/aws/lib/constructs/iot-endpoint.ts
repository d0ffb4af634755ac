import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';

/** Construct id CDK gives the AwsCustomResource provider singleton (fixed in aws-cdk-lib). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * The account's IoT data (ATS) endpoint as an https URL. Looked up at deploy time so synth stays
 * offline and nothing account-specific is committed; `-c iotEndpoint=…` skips the lookup.
 */
export class IotEndpoint extends Construct {
  readonly url: string;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    if (config.iotEndpoint) {
      this.url = `https://${config.iotEndpoint}`;
      return;
    }
    const call = {
      service: 'Iot',
      action: 'describeEndpoint',
      parameters: { endpointType: 'iot:Data-ATS' },
      physicalResourceId: PhysicalResourceId.of('iot-data-ats-endpoint'),
    };
    const lookup = new AwsCustomResource(this, 'Lookup', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }),
      ]),
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'iot:DescribeEndpoint has no resource-level permissions; it only reads the account endpoint address.',
    });
    // The provider Lambda is a stack-level singleton that CDK creates with the basic execution role.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's AwsCustomResource provider (runs once per deploy) ships with the AWS basic execution role; only its logs use it.",
      });
    }
    this.url = `https://${lookup.getResponseField('endpointAddress')}`;
  }
}
