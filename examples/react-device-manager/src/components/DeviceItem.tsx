import type { UserLoginFieldsFragment } from '../../../../sdk/generated/graphql';
import { locationLabel } from '../location-label';
import { localDateTime, timeAgo } from '../relative-time';
import { DeviceIcon } from './DeviceIcon';

interface DeviceItemProps {
  login: UserLoginFieldsFragment;
  now: number;
  busy: boolean;
  onLogOut: (login: UserLoginFieldsFragment) => void;
}

export function DeviceItem({ login, now, busy, onLogOut }: DeviceItemProps) {
  const place = locationLabel(login.location);
  return (
    <li className={login.current ? 'device current' : 'device'}>
      <DeviceIcon device={login.device} />
      <div className="device-details">
        <p className="device-name">
          {login.device}
          {login.current && <span className="badge">This device</span>}
        </p>
        {place && <p className="device-meta device-location">{place}</p>}
        <p className="device-meta">
          <span>{login.ipAddress}</span>
          <span aria-hidden="true"> · </span>
          {login.current ? (
            <span>Active now</span>
          ) : (
            <span>
              Last active <time dateTime={login.lastSeenAt} title={localDateTime(login.lastSeenAt)}>{timeAgo(login.lastSeenAt, now)}</time>
            </span>
          )}
        </p>
        <p className="device-meta">
          Signed in <time dateTime={login.createdAt}>{localDateTime(login.createdAt)}</time>
        </p>
      </div>
      {!login.current && (
        // The visible text is the same on every row; the accessible name says which device.
        <button type="button" className="secondary" aria-label={`Log out ${login.device}`} disabled={busy} onClick={() => onLogOut(login)}>
          Log out
        </button>
      )}
    </li>
  );
}
