import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { describe, expectTypeOf, it } from 'vitest';
import {
  LiveCloseCode,
  LoginActivityDocument,
  LogoutAllDocument,
  LogoutDeviceDocument,
  MeDocument,
  MyLoginsDocument,
  RegisterDocument,
  createClient,
  createLiveClient,
  isSessionEnded,
  isUnauthenticated,
  type ContractErrorCode,
  type GraphQLRequestError,
  type LoginActivitySubscription,
  type LogoutDeviceMutation,
  type MeQuery,
  type MyLoginsQuery,
  type RegisterMutation,
  type SubscriptionClosedError,
} from '../../sdk';
import type { ContractErrorCode as ServerErrorCode } from '../../src/errors';
import { CloseCode as ServerCloseCode } from '../../src/live/close-codes';

/*
 * Type-level checks, run by vitest's typecheck (`vitest run` type-checks the *.test-d.ts files with
 * tsc and fails on a type error) and by `npm run typecheck`. Nothing here is ever executed; the
 * bodies that call hooks or send requests only have their types checked.
 */

describe('the fetch client', () => {
  const client = createClient({ url: 'http://127.0.0.1:1/graphql' });

  it('infers the result from the document and asks for variables only when one is required', () => {
    const typeOnly = () => {
      expectTypeOf(client.request(MyLoginsDocument)).resolves.toEqualTypeOf<MyLoginsQuery>();
      expectTypeOf(client.request(MyLoginsDocument, { includeRevoked: true })).resolves.toEqualTypeOf<MyLoginsQuery>();
      expectTypeOf(client.request(MeDocument)).resolves.toEqualTypeOf<MeQuery>();
      void client.request(LogoutAllDocument);
      expectTypeOf(client.request(RegisterDocument, { input: { email: 'a@example.com', password: 'long enough' } }))
        .resolves.toEqualTypeOf<RegisterMutation>();
      // @ts-expect-error Register requires its input.
      void client.request(RegisterDocument);
      // @ts-expect-error MyLogins has no variable of that name.
      void client.request(MyLoginsDocument, { includeRevokedd: true });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('narrows errors by code without losing the error type in the other branch', () => {
    const typeOnly = (error: GraphQLRequestError) => {
      if (isUnauthenticated(error)) expectTypeOf(error.code).toEqualTypeOf<'UNAUTHENTICATED'>();
      else expectTypeOf(error).toEqualTypeOf<GraphQLRequestError>();
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it("knows exactly the server's error codes", () => {
    expectTypeOf<ContractErrorCode>().toEqualTypeOf<ServerErrorCode>();
  });
});

describe('the live client', () => {
  it('types the events of a subscription from its document', () => {
    const typeOnly = () => {
      const live = createLiveClient({ url: 'http://127.0.0.1:1/graphql', token: 'a token' });
      expectTypeOf(live.subscribe(LoginActivityDocument)).toEqualTypeOf<AsyncIterableIterator<LoginActivitySubscription>>();
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('narrows a close by its code without losing the error type in the other branch', () => {
    const typeOnly = (error: SubscriptionClosedError) => {
      if (isSessionEnded(error)) expectTypeOf(error.closeCode).toEqualTypeOf<4401>();
      else expectTypeOf(error).toEqualTypeOf<SubscriptionClosedError>();
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it("knows exactly the server's close codes", () => {
    expectTypeOf(LiveCloseCode).toEqualTypeOf(ServerCloseCode);
  });
});

describe('the documents with Apollo Client 4', () => {
  it('useQuery(MyLoginsDocument) infers data and variables', () => {
    const component = () => {
      const result = useQuery(MyLoginsDocument, { variables: { includeRevoked: true } });
      if (result.dataState === 'complete') expectTypeOf(result.data).toEqualTypeOf<MyLoginsQuery>();
      expectTypeOf(useQuery(MyLoginsDocument).variables).toEqualTypeOf<{ includeRevoked?: boolean }>();
    };
    expectTypeOf(component).toBeFunction();
  });

  it('useSubscription(LoginActivityDocument) infers its events', () => {
    const component = () => {
      const { data } = useSubscription(LoginActivityDocument, {
        onData: ({ data: result }) => expectTypeOf(result.data).toEqualTypeOf<LoginActivitySubscription | undefined>(),
      });
      expectTypeOf(data).toEqualTypeOf<LoginActivitySubscription | undefined>();
    };
    expectTypeOf(component).toBeFunction();
  });

  it('useMutation(LogoutDeviceDocument) requires its loginId', () => {
    const component = async () => {
      const [logoutDevice] = useMutation(LogoutDeviceDocument);
      const { data } = await logoutDevice({ variables: { loginId: 'an id' } });
      expectTypeOf(data).toEqualTypeOf<LogoutDeviceMutation | undefined>();
      // @ts-expect-error loginId is required.
      await logoutDevice({ variables: {} });
    };
    expectTypeOf(component).toBeFunction();
  });
});
