// Everyone's first page: who they are, their roles, what is theirs (a teacher's classes, a trip
// leader's trips, what they have on loan) and the pages their roles open. Part of the shell, as
// routes.tsx is: it composes each feature's own "yours" section (classes/my-classes,
// trips/my-trips), whose words stay in their features.
import { STAFF_ROLE_LABELS } from '@app/hub-api';
import { Link } from 'react-router-dom';
import { useSession } from '../auth/session';
import { navigationFor } from '../routes';
import { Page } from '../ui';
import { MyClasses } from '../classes/my-classes';
import { MyTrips } from '../trips/my-trips';
import { MyLoans } from './my-loans';

export default function HomePage() {
  const { user, allows } = useSession();
  if (!user) {
    return null;
  }
  const pages = navigationFor(allows).filter((route) => route.path !== '/');
  return (
    <Page title={`Hello, ${user.displayName}`}>
      <dl className="facts">
        <div>
          <dt>Username</dt>
          <dd>{user.username}</dd>
        </div>
        <div>
          <dt>Your roles</dt>
          <dd>{user.roles.map((role) => STAFF_ROLE_LABELS[role]).join(', ')}</dd>
        </div>
      </dl>
      {allows(['teacher']) ? <MyClasses userId={user.id} /> : null}
      {allows(['trip_leader']) ? <MyTrips /> : null}
      <MyLoans userId={user.id} />
      <h2>Your pages</h2>
      <ul className="link-list">
        {pages.map((route) => (
          <li key={route.path}>
            <Link to={route.path}>{route.label}</Link>
          </li>
        ))}
      </ul>
    </Page>
  );
}
