/** The user directory (Cognito): where a driver's processor customer id is recorded as an attribute. */
export interface IdentityDirectory {
  /** Sets `custom:stripe_customer_id` on the user; idempotent. The pool comes from the trigger event. */
  setCustomerId(user: { userPoolId: string; username: string }, customerId: string): Promise<void>;
}
