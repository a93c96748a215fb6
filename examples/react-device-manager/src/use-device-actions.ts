import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import {
  LogoutAllDocument,
  LogoutDeviceDocument,
  LogoutDocument,
  MyLoginsDocument,
  MySecurityEventsDocument,
  type UserLoginFieldsFragment,
} from '../../../sdk/generated/graphql';
import { readableError, type ReadableError } from './graphql-errors';
import { plural } from './plural';
import { session } from './session';

/**
 * After a mutation the list is fetched again, so it shows what the server now holds, and the
 * security log with it (its sign-outs): without a live socket nothing else would.
 */
const REFETCH_DEVICE_LIST = { refetchQueries: [MyLoginsDocument, MySecurityEventsDocument], awaitRefetchQueries: true };

/**
 * The buttons of the device manager. One action at a time: each reports its outcome as `status`
 * (or `error`), and a 401 on the way signs this tab out through the error link.
 */
export function useDeviceActions(token: string) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<ReadableError | null>(null);
  const [logoutDevice] = useMutation(LogoutDeviceDocument, REFETCH_DEVICE_LIST);
  const [logoutOthers] = useMutation(LogoutAllDocument, REFETCH_DEVICE_LIST);
  const [logoutAll] = useMutation(LogoutAllDocument);
  const [logout] = useMutation(LogoutDocument);

  async function run(action: () => Promise<string | null>) {
    setBusy(true);
    setStatus(null);
    setError(null);
    try {
      setStatus(await action());
    } catch (caught) {
      setError(readableError(caught));
    } finally {
      setBusy(false);
    }
  }

  return {
    busy,
    status,
    error,
    logOutDevice: (login: UserLoginFieldsFragment) =>
      run(async () => {
        const { data } = await logoutDevice({ variables: { loginId: login.id } });
        return data?.logoutDevice ? `Logged out ${login.device}.` : `${login.device} was already logged out.`;
      }),
    logOutOtherDevices: () =>
      run(async () => {
        const { data } = await logoutOthers({ variables: { keepCurrent: true } });
        const count = data?.logoutAll ?? 0;
        return count === 0 ? 'No other device was logged in.' : `Logged out ${plural(count, 'other device')}.`;
      }),
    logOutEverywhere: () =>
      run(async () => {
        await session.leave(token, 'You logged out on every device.', () => logoutAll({ variables: { keepCurrent: false } }));
        return null;
      }),
    logOutHere: () =>
      run(async () => {
        await session.leave(token, 'You logged out.', () => logout());
        return null;
      }),
  };
}
