/** The few Cognito calls the app makes, through aws-amplify/auth only (keeps the bundle small). */
import {
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  resendSignUpCode,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { z } from 'zod';
import type { AuthFlowType } from '../config/runtime-config.js';

export type SignInResult = 'signedIn' | 'needsConfirmation';
export type SignUpResult = 'needsConfirmation' | 'done';

export interface AuthClient {
  currentUser(): Promise<{ userId: string } | null>;
  signUp(email: string, password: string): Promise<SignUpResult>;
  confirm(email: string, code: string): Promise<void>;
  resendCode(email: string): Promise<void>;
  signIn(email: string, password: string): Promise<SignInResult>;
  signOut(): Promise<void>;
  /** Cognito groups from the ID token (`cognito:groups`). */
  groups(): Promise<string[]>;
}

const Groups = z.array(z.string()).catch([]);

export function createAuthClient(authFlowType: AuthFlowType): AuthClient {
  return {
    async currentUser() {
      try {
        const user = await getCurrentUser();
        return { userId: user.userId };
      } catch {
        return null;
      }
    },
    async signUp(email, password) {
      const result = await signUp({ username: email, password, options: { userAttributes: { email } } });
      return result.nextStep.signUpStep === 'CONFIRM_SIGN_UP' ? 'needsConfirmation' : 'done';
    },
    async confirm(email, code) {
      await confirmSignUp({ username: email, confirmationCode: code });
    },
    async resendCode(email) {
      await resendSignUpCode({ username: email });
    },
    async signIn(email, password) {
      const result = await signIn({ username: email, password, options: { authFlowType } });
      if (result.nextStep.signInStep === 'CONFIRM_SIGN_UP') return 'needsConfirmation';
      if (!result.isSignedIn) throw new Error(`Unsupported sign-in step ${result.nextStep.signInStep}`);
      return 'signedIn';
    },
    async signOut() {
      await signOut();
    },
    async groups() {
      const session = await fetchAuthSession();
      return Groups.parse(session.tokens?.idToken?.payload['cognito:groups'] ?? []);
    },
  };
}
