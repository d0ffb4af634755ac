/** The GraphQL transport over Amplify's client (user-pool auth, AppSync realtime subscriptions). */
import { type GraphQLQuery, type GraphQLSubscription, generateClient } from 'aws-amplify/api';
import type { GraphqlTransport } from './ev-api.js';

type Data = Record<string, unknown>;

export function createAmplifyTransport(): GraphqlTransport {
  const client = generateClient();
  return {
    async request(query, variables) {
      const result = await client.graphql<GraphQLQuery<Data>>({ query, variables: { ...variables } });
      return result.data;
    },
    subscribe(query, variables, onData, onError) {
      const subscription = client
        .graphql<GraphQLSubscription<Data>>({ query, variables: { ...variables } })
        .subscribe({ next: (message) => onData(message.data), error: onError });
      return () => subscription.unsubscribe();
    },
  };
}
