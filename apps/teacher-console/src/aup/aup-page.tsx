// The acceptable use policy, before everything else until the account accepts the current
// version (at first use, and whenever ICT publishes a new one).
import type { AupCurrent } from '@app/hub-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { AUP_PATH } from '../auth/session';
import { Button, ErrorMessage, Page } from '../ui';

export function AupPage({ aup }: { aup: AupCurrent }) {
  const client = useQueryClient();
  const accept = useMutation({
    mutationFn: () =>
      api('/api/staff/me/aup-acceptance', { method: 'POST', body: { version: aup.version } }),
    onSuccess: () => client.invalidateQueries({ queryKey: [AUP_PATH] }),
  });
  return (
    <Page title="Acceptable use policy">
      <p>Read the school&apos;s acceptable use policy. You can use the hub once you accept it.</p>
      <div className="aup-text" tabIndex={0} role="document" aria-label="Policy text">
        {aup.text}
      </div>
      <ErrorMessage error={accept.error} title="Could not record your acceptance." />
      <Button variant="primary" onPress={() => accept.mutate()} isPending={accept.isPending}>
        I accept
      </Button>
    </Page>
  );
}
