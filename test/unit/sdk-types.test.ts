import { useMutation, useQuery } from '@apollo/client/react';
import { describe, expectTypeOf, it } from 'vitest';
import {
  LogoutAllDocument,
  LogoutDeviceDocument,
  MeDocument,
  MyLoginsDocument,
  RegisterDocument,
  createClient,
  isUnauthenticated,
  type ContractErrorCode,
  type GraphQLRequestError,
  type LogoutDeviceMutation,
  type MeQuery,
  type MyLoginsQuery,
  type RegisterMutation,
} from '../../sdk';
import type { ErrorCode as ServerErrorCode } from '../../src/errors';

/*
 * Type-level checks: `npm run typecheck` (run first by `npm test`) fails when they do not hold.
 * The bodies that call hooks or send requests are never run; only their types matter.
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

describe('the documents with Apollo Client 4', () => {
  it('useQuery(MyLoginsDocument) infers data and variables', () => {
    const component = () => {
      const result = useQuery(MyLoginsDocument, { variables: { includeRevoked: true } });
      if (result.dataState === 'complete') expectTypeOf(result.data).toEqualTypeOf<MyLoginsQuery>();
      expectTypeOf(useQuery(MyLoginsDocument).variables).toEqualTypeOf<{ includeRevoked?: boolean }>();
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
