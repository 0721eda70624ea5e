// Change your own password, with the hub's rule shown as you type (the same rule the hub checks,
// from @app/hub-api, with the minimum length this hub is set to). Other sign-ins end.
import { passwordRuleChecks, type PasswordRule } from '@app/hub-api';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, ApiError, apiQuery } from '../api/client';
import { Button, ErrorMessage, Page, StatusMessage, TextField } from '../ui';

export default function ChangePasswordPage() {
  const rule = useQuery({
    ...apiQuery<PasswordRule>('/api/auth/password-rule'),
    staleTime: Infinity,
  });
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () =>
      api<void>('/api/staff/me/password', {
        method: 'PATCH',
        body: { currentPassword: current, newPassword: next },
        checksPassword: true,
      }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
    },
  });
  const checks = passwordRuleChecks(next, rule.data?.minLength ?? 6);
  const wrongCurrent = change.error instanceof ApiError && change.error.status === 401;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate();
  };

  return (
    <Page title="Change password">
      <Form className="form" onSubmit={submit}>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
          errorMessage={wrongCurrent ? (change.error as ApiError).message : null}
          isRequired
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(value) => {
            setNext(value);
            change.reset();
          }}
          description={
            <span id="password-rule">
              <span className="rule-intro">Your new password needs:</span>
              <ul className="rule-list" aria-live="polite">
                {checks.map((check) => (
                  <li key={check.text} className={check.met ? 'rule-met' : 'rule-unmet'}>
                    <span aria-hidden="true">{check.met ? '✓ ' : '• '}</span>
                    {check.text}
                    <span className="visually-hidden">{check.met ? ': done' : ': not yet'}</span>
                  </li>
                ))}
              </ul>
            </span>
          }
          isRequired
        />
        <TextField
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={setRepeat}
          errorMessage={mismatch ? 'The two new passwords are not the same.' : null}
          isRequired
        />
        {change.isError && !wrongCurrent ? (
          <ErrorMessage error={change.error} title="Could not change your password." />
        ) : null}
        {change.isSuccess ? (
          <StatusMessage>Your password was changed. Your other sign-ins have ended.</StatusMessage>
        ) : null}
        <Button type="submit" variant="primary" isPending={change.isPending}>
          Change password
        </Button>
      </Form>
    </Page>
  );
}
