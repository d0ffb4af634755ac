import type { Principal } from '../../../infra/local/appsync/appsync-types.js';

export function userPrincipal(sub: string, groups: string[] | null = null): Principal {
  return {
    mode: 'userPool',
    identity: {
      sub,
      issuer: 'http://127.0.0.1:1/local_pool',
      username: sub,
      claims: { sub, token_use: 'access' },
      sourceIp: ['127.0.0.1'],
      defaultAuthStrategy: 'ALLOW',
      groups,
    },
  };
}

export const iamPrincipal: Principal = {
  mode: 'iam',
  identity: {
    accountId: '000000000000',
    cognitoIdentityPoolId: '',
    cognitoIdentityId: '',
    cognitoIdentityAuthType: '',
    cognitoIdentityAuthProvider: '',
    sourceIp: ['127.0.0.1'],
    username: 'AKIALOCAL',
    userArn: 'arn:aws:iam::000000000000:user/local-backend',
  },
};

/** A small AppSync-dialect schema exercising what the contract schema does not (groups, AWSJSON, nesting). */
export const TEST_SDL = /* GraphQL */ `
  type Item @aws_cognito_user_pools @aws_iam {
    id: ID!
    ownerId: ID!
    meta: AWSJSON
    at: AWSDateTime
    secret: String @aws_iam
    child: Item
  }
  type Query {
    item(id: ID!): Item
    items: [Item!]!
    audit: [Item!]! @aws_cognito_user_pools(cognito_groups: ["operators"])
    echoJson(value: AWSJSON!): AWSJSON
    echoUrl(value: AWSURL!): AWSURL
    echoEmail(value: AWSEmail!): AWSEmail
    echoDate(value: AWSDate!): AWSDate
    echoTimestamp(value: AWSTimestamp!): AWSTimestamp
  }
  type Mutation {
    putItem(id: ID!, ownerId: ID!): Item @aws_iam
  }
  type Subscription {
    onItem(id: ID, ownerId: ID): Item @aws_subscribe(mutations: ["putItem"])
  }
`;
