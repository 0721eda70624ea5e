// ICT: one policy: where it applies (with priorities), its settings by section, and its
// revision history with rollback.
import type { Policy } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { apiQuery } from '../api/client';
import { ErrorMessage, Link, Page, StatusMessage } from '../ui';
import { PolicyAssignments } from './policy-assignments';
import { PolicyEditor } from './policy-editor';
import { PolicyHistory } from './policy-history';

export default function PolicyPage() {
  const { policyId = '' } = useParams();
  const policy = useQuery(apiQuery<Policy>(`/api/policies/${policyId}`));
  const data = policy.data;
  const [savedRevision, setSavedRevision] = useState<number | null>(null);
  return (
    <Page
      title={data ? data.name : 'Policy'}
      actions={
        <Link href="/policies" className="page-action-link">
          All policies
        </Link>
      }
    >
      <ErrorMessage error={policy.error} title="Could not read the policy." />
      {!data ? (
        policy.isPending ? (
          <StatusMessage>Loading…</StatusMessage>
        ) : null
      ) : (
        <>
          {data.description ? <p className="policy-description">{data.description}</p> : null}
          <h2>Where it applies</h2>
          <PolicyAssignments policy={data} />
          <h2>Settings</h2>
          <p className="field-description">
            A setting this policy does not set comes from a wider policy or the built-in default. An
            enforced setting cannot be changed by a narrower policy (a group’s or a device’s).
          </p>
          <PolicyEditor
            key={data.id}
            policy={data}
            savedRevision={savedRevision}
            onSaved={setSavedRevision}
          />
          <h2>Revision history</h2>
          <PolicyHistory policy={data} />
        </>
      )}
    </Page>
  );
}
