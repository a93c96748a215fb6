import { useQuery } from '@apollo/client/react';
import { MeDocument, MyLoginsDocument } from '../../../../sdk/generated/graphql';
import { readableError } from '../graphql-errors';
import { useDeviceActions } from '../use-device-actions';
import { useLoginActivity } from '../use-login-activity';
import { ChangePasswordForm } from './ChangePasswordForm';
import { DeleteAccountForm } from './DeleteAccountForm';
import { DeviceList } from './DeviceList';
import { LiveIndicator } from './LiveIndicator';
import { SecurityActivity } from './SecurityActivity';

export function DeviceManager({ token }: { token: string }) {
  // The email does not change while signed in: only the list refetches when the user comes back.
  const me = useQuery(MeDocument, { refetchOn: false });
  const logins = useQuery(MyLoginsDocument, { fetchPolicy: 'cache-and-network', notifyOnNetworkStatusChange: true });
  const actions = useDeviceActions(token);
  const live = useLoginActivity(token);
  const devices = logins.data?.myLogins ?? [];
  // A failed refresh shows on the query; the caller has nothing to add (a 401 already signed out).
  const refresh = () => logins.refetch().catch(() => {});

  return (
    <>
      <header className="top-bar">
        <div>
          <p className="app-name">Device manager</p>
          <p className="muted signed-in-as">{me.data && <>Signed in as <strong>{me.data.me.email}</strong></>}</p>
        </div>
        <button type="button" className="secondary" disabled={actions.busy} onClick={actions.logOutHere}>
          Log out
        </button>
      </header>

      <section className="card" aria-labelledby="devices-title" aria-busy={logins.loading}>
        <div className="section-head">
          <h1 id="devices-title">Where you're logged in</h1>
          <div className="section-tools">
            <LiveIndicator state={live} />
            <button type="button" className="link" disabled={logins.loading} onClick={refresh}>
              Refresh
            </button>
          </div>
        </div>
        <p className="muted">
          Every browser or app you logged in with. Log out the ones you do not recognise: they are signed out at
          once.
        </p>

        {actions.status && (
          <p className="status" role="status">
            {actions.status}
          </p>
        )}
        {actions.error && (
          <p className="error" role="alert">
            {actions.error.message}
          </p>
        )}
        {logins.error && (
          <p className="error" role="alert">
            Could not load the list: {readableError(logins.error).message}
          </p>
        )}
        {!logins.data && logins.loading && <p className="muted">Loading your devices…</p>}

        {logins.data && (
          <DeviceList logins={devices} labelledBy="devices-title" busy={actions.busy} onLogOut={actions.logOutDevice} />
        )}

        <div className="actions">
          <button type="button" className="secondary" disabled={actions.busy} onClick={actions.logOutOtherDevices}>
            Log out all other devices
          </button>
          <button type="button" className="danger" disabled={actions.busy} onClick={actions.logOutEverywhere}>
            Log out everywhere
          </button>
        </div>
      </section>

      <SecurityActivity />
      <ChangePasswordForm />
      <DeleteAccountForm token={token} />
    </>
  );
}
