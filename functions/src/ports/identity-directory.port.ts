/** The user directory (Cognito): where a driver's processor customer id is recorded as an attribute. */
export interface IdentityDirectory {
  /** Sets `custom:stripe_customer_id` on the user; idempotent. */
  setCustomerId(username: string, customerId: string): Promise<void>;
}
