/**
 * The GraphQL edge shared by every resolver Lambda: who is calling (from the AppSync identity), zod-parsed
 * arguments, and ONE mapping from domain error codes to GraphQL `errorType`s. AppSync turns a thrown
 * error's `errorType` into `errors[].errorType`; the local server does the same.
 */
import type { AppSyncResolverEvent } from 'aws-lambda';
import { z } from 'zod';
import type { DomainError } from '../../domain/errors.js';
import type { Result } from '../../domain/result.js';

export type ResolverEvent = AppSyncResolverEvent<Record<string, unknown>, Record<string, unknown> | null>;

export class ResolverError extends Error {
  override readonly name = 'ResolverError';
  constructor(
    readonly errorType: string,
    message: string,
    readonly errorInfo?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface Caller {
  sub: string;
  email?: string;
  groups: string[];
}

const CognitoIdentity = z.object({
  sub: z.string().min(1),
  claims: z.record(z.string(), z.unknown()).optional(),
  groups: z.array(z.string()).nullish(),
  username: z.string().optional(),
});

/** The driver behind a user-pool-authorized call; anything else is refused. */
export function callerOf(event: ResolverEvent): Caller {
  const r = CognitoIdentity.safeParse(event.identity);
  if (!r.success) throw new ResolverError('UNAUTHORIZED', 'A signed-in driver is required.');
  const email = r.data.claims?.email;
  return { sub: r.data.sub, email: typeof email === 'string' ? email : undefined, groups: r.data.groups ?? [] };
}

/** The Cognito group whose members may use the operator fields (infra creates it under this name). */
export const OPERATORS_GROUP = 'operators';

/**
 * An operator behind the call: not signed in → UNAUTHORIZED; signed in but not in the group → FORBIDDEN.
 * The schema restricts the same fields to the group (AppSync checks first); this holds if it ever does not.
 */
export function operatorOf(event: ResolverEvent): Caller {
  const caller = callerOf(event);
  if (!caller.groups.includes(OPERATORS_GROUP)) {
    throw new ResolverError('FORBIDDEN', 'Only operators may see this.');
  }
  return caller;
}

/** zod-parses resolver arguments; a failure is a VALIDATION error naming the fields. */
export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  const r = schema.safeParse(args ?? {});
  if (!r.success) {
    throw new ResolverError('VALIDATION', z.prettifyError(r.error), { fields: fieldsOf(r.error.issues) });
  }
  return r.data;
}

/** The argument paths an error is about; an unexpected argument is named too (its issue sits at the parent). */
function fieldsOf(issues: z.core.$ZodIssue[]): string[] {
  const paths = issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.')],
  );
  return [...new Set(paths)];
}

/** Domain error → GraphQL error (the code IS the errorType: one table, in domain/errors.ts). */
export function toResolverError(e: DomainError): ResolverError {
  const info: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.details)) if (v !== undefined) info[k] = v;
  return new ResolverError(e.code, e.message, info);
}

/** Unwraps a use-case result: the value, or the domain error thrown as a GraphQL error. */
export function unwrap<T>(r: Result<T, DomainError>): T {
  if (r.ok) return r.value;
  throw toResolverError(r.error);
}

/** Ids from clients: bounded, printable, no separators that could reach a key or topic. */
export const IdArg = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');
