// Who is signed in: the bearer token (kept in this tab's sessionStorage, so closing the tab on a
// shared classroom computer signs out) and the account from GET /api/auth/me. A 401 from any
// call ends the session here, keeping the hub's words for why; the shell then sends the person
// to sign in (where those words are shown) and back.
import type { LoginResponse, StaffRole, StaffUser } from '@app/hub-api';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { api, apiQuery, connectApiToSession, sentence } from '../api/client';

const TOKEN_KEY = 'hub.token';

export interface Session {
  /** Null when nobody is signed in. */
  token: string | null;
  /** The account, once GET /api/auth/me answered (at once after sign-in). */
  user: StaffUser | null;
  /**
   * Why the last sign-in of this tab ended when the hub ended it (the account was disabled, the
   * sign-in expired or was ended elsewhere), as the hub said it; null after a sign-out by the
   * person, and once they sign in again. The sign-in page says it.
   */
  endedBecause: string | null;
  /** @throws ApiError with the hub's words (wrong password, too many attempts) */
  signIn(username: string, password: string): Promise<void>;
  /** Signs out here and at the hub; `why`: the hub ended the sign-in, and said this. */
  signOut(why?: string): Promise<void>;
  /** Whether the account holds one of these roles ('any': anyone signed in). */
  allows(roles: readonly StaffRole[] | 'any'): boolean;
}

const SessionContext = createContext<Session | null>(null);

export const ME_PATH = '/api/auth/me';
export const AUP_PATH = '/api/aup';

function storedToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(token: string | null): void {
  try {
    if (token) {
      window.sessionStorage.setItem(TOKEN_KEY, token);
    } else {
      window.sessionStorage.removeItem(TOKEN_KEY);
    }
  } catch {
    // Storage refused (private mode): the session lasts as long as the page.
  }
}

/** Holds the session for everything below it; put it inside the router and QueryClientProvider. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(storedToken);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const end = useCallback(
    (why?: string) => {
      if (why) {
        setEndedBecause(sentence(why));
      }
      storeToken(null);
      setToken(null);
      queryClient.clear();
    },
    [queryClient],
  );

  // Set during render, not in an effect: a child's first query already carries the token.
  connectApiToSession({
    token: () => token,
    unauthorized: end,
    aupRequired: () => void queryClient.invalidateQueries({ queryKey: [AUP_PATH] }),
  });

  const me = useQuery({ ...apiQuery<StaffUser>(ME_PATH), enabled: token !== null });

  const signIn = useCallback(
    async (username: string, password: string) => {
      const answer = await api<LoginResponse>('/api/auth/login', {
        method: 'POST',
        body: { username, password },
      });
      queryClient.clear();
      queryClient.setQueryData([ME_PATH], answer.user);
      storeToken(answer.accessToken);
      setToken(answer.accessToken);
      setEndedBecause(null);
    },
    [queryClient],
  );

  const signOut = useCallback(
    async (why?: string) => {
      try {
        await api<void>('/api/auth/logout', { method: 'POST' });
      } catch {
        // Signed out here whatever the hub said: the token is forgotten either way.
      }
      end(why);
    },
    [end],
  );

  // Another tab signing in or out does not change this one's token (sessionStorage is per tab).
  useEffect(() => {
    if (token === null) {
      queryClient.removeQueries({ queryKey: [ME_PATH] });
    }
  }, [token, queryClient]);

  const user = token ? (me.data ?? null) : null;
  const session = useMemo<Session>(
    () => ({
      token,
      user,
      endedBecause,
      signIn,
      signOut,
      allows: (roles) =>
        user !== null && (roles === 'any' || roles.some((role) => user.roles.includes(role))),
    }),
    [token, user, endedBecause, signIn, signOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The session; only inside SessionProvider. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) {
    throw new Error('useSession outside SessionProvider');
  }
  return session;
}
