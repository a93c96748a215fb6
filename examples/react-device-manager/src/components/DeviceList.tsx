import type { UserLoginFieldsFragment } from '../../../../sdk/generated/graphql';
import { useNow } from '../use-now';
import { DeviceItem } from './DeviceItem';

interface DeviceListProps {
  logins: readonly UserLoginFieldsFragment[];
  labelledBy: string;
  busy: boolean;
  onLogOut: (login: UserLoginFieldsFragment) => void;
}

/** This device first, then the others as the server orders them: most recent login first. */
function thisDeviceFirst(logins: readonly UserLoginFieldsFragment[]): UserLoginFieldsFragment[] {
  return [...logins].sort((a, b) => Number(b.current) - Number(a.current));
}

export function DeviceList({ logins, labelledBy, busy, onLogOut }: DeviceListProps) {
  const now = useNow(30_000);
  return (
    <ul className="devices" aria-labelledby={labelledBy}>
      {thisDeviceFirst(logins).map((login) => (
        <DeviceItem key={login.id} login={login} now={now} busy={busy} onLogOut={onLogOut} />
      ))}
    </ul>
  );
}
