import { isIP } from 'node:net';
import { GraphQLError, type GraphQLScalarType, Kind, type ValueNode, valueFromASTUntyped } from 'graphql';

/**
 * AppSync's built-in scalars with AppSync's validation, so a malformed argument fails validation
 * locally the way it does in the cloud (before any resolver runs).
 */
const DATE = /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]{3,}$/;

type Check = (value: string) => boolean;

const validDate: Check = (v) => DATE.test(v) && !Number.isNaN(Date.parse(v.slice(0, 10)));
const validDateTime: Check = (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));
const validUrl: Check = (v) => {
  try {
    const url = new URL(v);
    return url.protocol.length > 1 && v.includes('://');
  } catch {
    return false;
  }
};

const STRING_SCALARS: Record<string, Check> = {
  AWSDate: validDate,
  AWSTime: (v) => TIME.test(v),
  AWSDateTime: validDateTime,
  AWSEmail: (v) => EMAIL.test(v),
  AWSURL: validUrl,
  AWSPhone: (v) => PHONE.test(v),
  AWSIPAddress: (v) => isIP(v.split('/')[0] ?? '') !== 0,
};

function invalid(name: string, value: unknown): GraphQLError {
  return new GraphQLError(`Invalid ${name} value: ${JSON.stringify(value)}`);
}

function stringScalar(scalar: GraphQLScalarType, check: Check): void {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) throw invalid(scalar.name, value);
    return value;
  };
  scalar.parseValue = parse;
  scalar.serialize = parse;
  scalar.parseLiteral = (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw invalid(scalar.name, valueFromASTUntyped(ast));
    return parse(ast.value);
  };
}

function timestampScalar(scalar: GraphQLScalarType): void {
  const parse = (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(scalar.name, value);
    return value;
  };
  scalar.parseValue = parse;
  scalar.serialize = parse;
  scalar.parseLiteral = (ast: ValueNode) => {
    if (ast.kind !== Kind.INT) throw invalid(scalar.name, valueFromASTUntyped(ast));
    return parse(Number(ast.value));
  };
}

/** AppSync takes AWSJSON as a JSON string and hands resolvers the parsed value; results go back as strings. */
function jsonScalar(scalar: GraphQLScalarType): void {
  const parse = (value: unknown): unknown => {
    if (typeof value !== 'string') throw invalid(scalar.name, value);
    try {
      return JSON.parse(value);
    } catch {
      throw invalid(scalar.name, value);
    }
  };
  scalar.parseValue = parse;
  scalar.serialize = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  scalar.parseLiteral = (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw invalid(scalar.name, valueFromASTUntyped(ast));
    return parse(ast.value);
  };
}

export const APPSYNC_SCALARS = [...Object.keys(STRING_SCALARS), 'AWSTimestamp', 'AWSJSON'] as const;

export function installAppSyncScalar(scalar: GraphQLScalarType): void {
  const check = STRING_SCALARS[scalar.name];
  if (check) stringScalar(scalar, check);
  else if (scalar.name === 'AWSTimestamp') timestampScalar(scalar);
  else if (scalar.name === 'AWSJSON') jsonScalar(scalar);
}
