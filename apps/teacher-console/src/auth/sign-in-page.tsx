// Sign in with a username and password. The hub's answer (wrong password, too many attempts) is
// shown beside the form in its own words, and above it why the last sign-in ended, when the hub
// ended it.
import type { School } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { apiQuery } from '../api/client';
import { Button, ErrorMessage, Page, TextField } from '../ui';
import { useSession } from './session';

/**
 * The sign-in form; when the hub ended this tab's last sign-in (the account disabled, the
 * sign-in expired or ended elsewhere), it first says so in the hub's words.
 */
export function SignInPage() {
  const { signIn, endedBecause } = useSession();
  const school = useQuery({ ...apiQuery<School>('/api/school'), staleTime: Infinity });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <Page title="Sign in">
        <p className="sign-in-school">{school.data?.name ?? 'Classroom hub'}</p>
        {endedBecause ? (
          <div className="error-message signed-out-notice" role="alert">
            <strong>You were signed out. </strong>
            {endedBecause}
          </div>
        ) : null}
        <Form className="form" onSubmit={(event) => void submit(event)}>
          <TextField
            label="Username"
            name="username"
            autoComplete="username"
            value={username}
            onChange={setUsername}
            isRequired
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            isRequired
          />
          <ErrorMessage error={error} title="Could not sign in." />
          <Button type="submit" variant="primary" isPending={busy}>
            Sign in
          </Button>
        </Form>
      </Page>
    </main>
  );
}
