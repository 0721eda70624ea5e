// The shell: sign-in, the AUP gate, navigation by role, and the routes of routes.tsx. Everything
// from the hub goes through TanStack Query (keyed by API path) and the one /staff connection.
import type { AupCurrent, School } from '@app/hub-api';
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect, useRef } from 'react';
import { RouterProvider as AriaRouterProvider } from 'react-aria-components';
import {
  createBrowserRouter,
  Navigate,
  NavLink,
  Outlet,
  RouterProvider,
  useHref,
  useLocation,
  useNavigate,
  type NavigateOptions,
} from 'react-router-dom';
import { ApiError, apiQuery } from './api/client';
import { closeStaffSocket, openStaffSocket, useLiveStatus } from './api/staff-socket';
import { SessionProvider, useSession, AUP_PATH } from './auth/session';
import { SignInPage } from './auth/sign-in-page';
import { AupPage } from './aup/aup-page';
import { APP_ROUTES, navigationFor, type AppRoute } from './routes';
import { Button, ErrorMessage, Page, StatusMessage } from './ui';

declare module 'react-aria-components' {
  interface RouterConfig {
    routerOptions: NavigateOptions;
  }
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A refusal will not change by asking again; a dropped network may.
      retry: (failures, error) =>
        failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      refetchOnWindowFocus: true,
    },
  },
});

/** react-aria-components' links and menus navigate through React Router. */
function Root() {
  const navigate = useNavigate();
  return (
    <AriaRouterProvider navigate={(to, options) => void navigate(to, options)} useHref={useHref}>
      <SessionProvider>
        <Outlet />
      </SessionProvider>
    </AriaRouterProvider>
  );
}

/** /sign-in?next=/devices: after signing in, back to `next`. */
function SignInRoute() {
  const { token } = useSession();
  const next = new URLSearchParams(useLocation().search).get('next');
  // Only a path of this console: never another site.
  const back = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  return token ? <Navigate to={back} replace /> : <SignInPage />;
}

function SchoolName() {
  const school = useQuery({ ...apiQuery<School>('/api/school'), staleTime: Infinity });
  return <span className="school-name">{school.data?.name ?? 'Classroom hub'}</span>;
}

function SignOutButton() {
  const { signOut } = useSession();
  const navigate = useNavigate();
  return (
    <Button
      onPress={() => {
        closeStaffSocket();
        void signOut().then(() => navigate('/sign-in', { replace: true }));
      }}
    >
      Sign out
    </Button>
  );
}

function LiveNotice() {
  const live = useLiveStatus();
  return live === 'reconnecting' ? (
    <p className="live-notice" role="status">
      Live updates paused: reconnecting to the hub…
    </p>
  ) : null;
}

/** Signed in, AUP accepted: the header, the navigation, the page. */
function Shell() {
  const session = useSession();
  const location = useLocation();
  const client = useQueryClient();
  const aup = useQuery({ ...apiQuery<AupCurrent>(AUP_PATH), enabled: session.token !== null });
  const accepted = aup.data?.acceptedAt != null;

  useEffect(() => {
    if (!session.token || !accepted) {
      closeStaffSocket();
      return;
    }
    openStaffSocket(session.token, {
      unauthorized: (why) => void session.signOut(why),
      aupRequired: () => void client.invalidateQueries({ queryKey: [AUP_PATH] }),
    });
    return closeStaffSocket;
  }, [session.token, accepted]);

  // Events the hub sent while the connection was down are lost: once it is back, every screen
  // open reads afresh (the class grid also watches again, class-live.ts).
  const live = useLiveStatus();
  const wasLive = useRef(live);
  useEffect(() => {
    if (live === 'live' && wasLive.current === 'reconnecting') {
      void client.invalidateQueries();
    }
    wasLive.current = live;
  }, [live]);

  if (!session.token) {
    const here = `${location.pathname}${location.search}`;
    return (
      <Navigate
        to={here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`}
        replace
      />
    );
  }
  let content;
  if (aup.error || (!aup.data && !aup.isPending)) {
    content = <ErrorMessage error={aup.error} title="Could not read the acceptable use policy." />;
  } else if (!aup.data || !session.user) {
    content = <StatusMessage>Loading…</StatusMessage>;
  } else if (!accepted) {
    content = <AupPage aup={aup.data} />;
  } else {
    content = <Outlet />;
  }
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <SchoolName />
        <div className="topbar-account">
          {session.user ? <span className="topbar-user">{session.user.displayName}</span> : null}
          <SignOutButton />
        </div>
      </header>
      {accepted && session.user ? (
        <nav className="nav" aria-label="Main">
          <ul>
            {navigationFor(session.allows).map((route) => (
              <li key={route.path}>
                <NavLink to={route.path} end={route.path === '/'} className="nav-link">
                  {route.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <LiveNotice />
      <main id="main" className="main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}

/** A route's page if the account's roles allow it, else the refusal in words. */
function Guarded({ route }: { route: AppRoute }) {
  const { allows } = useSession();
  if (!allows(route.roles)) {
    return (
      <Page title="No access">
        <p className="no-access">You don&apos;t have access to this page.</p>
        <p>
          <NavLink to="/">Go to your home page</NavLink>
        </p>
      </Page>
    );
  }
  const Screen = route.page;
  return (
    <Suspense fallback={<StatusMessage>Loading…</StatusMessage>}>
      <Screen />
    </Suspense>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>There is no page at this address.</p>
      <p>
        <NavLink to="/">Go to your home page</NavLink>
      </p>
    </Page>
  );
}

const router = createBrowserRouter([
  {
    element: <Root />,
    children: [
      { path: '/sign-in', element: <SignInRoute /> },
      {
        element: <Shell />,
        children: [
          ...APP_ROUTES.map((route) => ({ path: route.path, element: <Guarded route={route} /> })),
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
