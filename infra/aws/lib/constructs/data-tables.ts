import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITableV2, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_SPECS, type TableKey } from '../shared-defs.js';
import type { StageConfig } from '../stage-config.js';

const PASCAL: Record<TableKey, string> = {
  sessions: 'Sessions',
  drivers: 'Drivers',
  stations: 'Stations',
  processedEvents: 'ProcessedEvents',
  redriveTries: 'RedriveTries',
  anomalies: 'Anomalies',
};

/** The tables the DynamoDB adapters use: on-demand, point-in-time recovery, kept in production. */
export class DataTables extends Construct {
  readonly byKey: Record<TableKey, ITableV2>;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    const make = (key: TableKey): ITableV2 => {
      const spec = TABLE_SPECS[key];
      return new TableV2(this, PASCAL[key], {
        partitionKey: { name: spec.partitionKey.name, type: AttributeType.STRING },
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: spec.timeToLiveAttribute,
        deletionProtection: config.isProd,
        removalPolicy: config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        globalSecondaryIndexes: spec.globalSecondaryIndexes.map((ix) => ({
          indexName: ix.indexName,
          partitionKey: { name: ix.partitionKey.name, type: AttributeType.STRING },
          sortKey: ix.sortKey && { name: ix.sortKey.name, type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ix.nonKeyAttributes,
        })),
      });
    };
    this.byKey = {
      sessions: make('sessions'),
      drivers: make('drivers'),
      stations: make('stations'),
      processedEvents: make('processedEvents'),
      redriveTries: make('redriveTries'),
      anomalies: make('anomalies'),
    };
  }
}
