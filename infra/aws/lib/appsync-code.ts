/**
 * APPSYNC_JS resolver code. `@aws-appsync/utils` exists only inside AppSync (FACTS.md: it is types
 * only on npm), so these stay tiny and are asserted as text by the infra tests.
 */

/** publishSessionUpdate / publishStationUpdate: a NONE data source echoes the input so @aws_subscribe fires. */
export const PASS_THROUGH_CODE = `export function request(ctx) {
  return { payload: ctx.args.input };
}
export function response(ctx) {
  return ctx.result;
}
`;

/** onMySessionUpdates: no arguments; the enhanced filter delivers exactly the caller's own sessions. */
export const MY_SESSIONS_SUBSCRIPTION_CODE = `import { util, extensions } from '@aws-appsync/utils';
export function request(ctx) {
  return { payload: null };
}
export function response(ctx) {
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ driverId: { eq: ctx.identity.sub } }));
  return null;
}
`;

/**
 * onSessionUpdate: subscription arguments are the client's own filter, not authorization. The
 * enhanced filter pins every delivery to the caller's own sessions, whatever id it asked for.
 */
export const OWNER_ONLY_SUBSCRIPTION_CODE = `import { util, extensions } from '@aws-appsync/utils';
export function request(ctx) {
  return { payload: null };
}
export function response(ctx) {
  extensions.setSubscriptionFilter(
    util.transform.toSubscriptionFilter({
      driverId: { eq: ctx.identity.sub },
      id: { eq: ctx.args.id },
    }),
  );
  return null;
}
`;
