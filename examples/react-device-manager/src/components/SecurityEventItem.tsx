import { Fragment } from 'react';
import type { SecurityEventFieldsFragment } from '../../../../sdk/generated/graphql';
import { localDateTime, timeAgo } from '../relative-time';
import { securityEventText } from '../security-event-text';

/** One line: what happened, where the request came from, and when ("New sign-in · Chrome 130 on macOS · 127.0.0.1 · just now"). */
export function SecurityEventItem({ event, now }: { event: SecurityEventFieldsFragment; now: number }) {
  const { what, details } = securityEventText(event);
  return (
    <li className={`security-event ${event.kind.toLowerCase()}`}>
      <span className="security-event-what">{what}</span>
      {details.map((detail, index) => (
        <Fragment key={index}>
          <span aria-hidden="true"> · </span>
          <span>{detail}</span>
        </Fragment>
      ))}
      <span aria-hidden="true"> · </span>
      <time dateTime={event.at} title={localDateTime(event.at)}>
        {timeAgo(event.at, now)}
      </time>
    </li>
  );
}
