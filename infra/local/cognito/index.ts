export { OPERATORS_GROUP, STRIPE_CUSTOMER_ATTRIBUTE } from './cognito-bootstrap.js';
export {
  adminAddUserToGroup,
  adminConfirmSignUp,
  type CognitoPoolRef,
  readConfirmationCode,
  usernameOf,
} from './cognito-users.js';
export {
  type LambdaInvokeShim,
  type LambdaInvokeShimOptions,
  type LocalFunction,
  startLambdaInvokeShim,
} from './lambda-invoke-shim.js';
export {
  DEFAULT_POST_CONFIRMATION_FUNCTION,
  freeLoopbackPort,
  type LocalCognito,
  type LocalCognitoOptions,
  startLocalCognito,
} from './local-cognito.js';
