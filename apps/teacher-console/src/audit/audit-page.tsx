// Safeguarding and ICT: the audit log, newest first, filtered by person (part of a name, or one
// person chosen by name: person-filter.tsx), action, target and
// dates, a page at a time from the hub (GET /api/audit), and exported as CSV with the same
// filters (GET /api/audit/export.csv, fetched with the bearer token and saved as a file). Each
// action is said and picked in words (one table with the hub: @app/hub-api's audit-actions).
// On a portrait iPad each entry is stacked, so its detail gets the whole width. Below it, who
// accepted the current acceptable use policy, and when.
import {
  AUDIT_ACTION_WORDS,
  auditActionWords,
  type AuditEntry,
  type AuditPerson,
  type Page as ListPage,
} from '@app/hub-api';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { useSearchParams } from 'react-router-dom';
import { formErrorsOf } from '../api/bad-request-fields';
import { api, apiQuery } from '../api/client';
import {
  Button,
  DataTable,
  ErrorMessage,
  Page,
  Pager,
  Select,
  StatusMessage,
  TextField,
} from '../ui';
import { AupAcceptancesSection } from './aup-acceptances';
import {
  auditQuery,
  daysProblem,
  FILTER_KEYS,
  filtersFrom,
  NO_FILTERS,
  peopleWords,
  type AuditFilters,
} from './audit-filters';
import { saveBlob } from './download';
import { AUDIT_PEOPLE_PATH, PEOPLE_SHOWN, PersonFilter } from './person-filter';

const PAGE_SIZE = 50;

/** `command.` (the hub's filter for every command action) → "Every command action". */
function familyWords(prefix: string): string {
  return `Every ${auditActionWords(prefix.slice(0, -1)).toLowerCase()} action`;
}

/**
 * The Action filter's choices in words: any, each action the hub writes, then each family of
 * two or more (`command.`: every command action, as the hub's filter takes a prefix). A value in
 * the address that is none of these (an older link) is kept as a choice of its own.
 */
function actionOptions(current: string): { value: string; label: string }[] {
  const actions = Object.keys(AUDIT_ACTION_WORDS);
  const byWords = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label);
  const counts = new Map<string, number>();
  for (const action of actions) {
    const prefix = `${action.split('.')[0]}.`;
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  const options = [
    ...actions.map((action) => ({ value: action, label: auditActionWords(action) })).sort(byWords),
    ...[...counts]
      .filter(([, count]) => count > 1)
      .map(([prefix]) => ({ value: prefix, label: familyWords(prefix) }))
      .sort(byWords),
  ];
  if (current && !options.some((option) => option.value === current)) {
    options.unshift({
      value: current,
      label: current.endsWith('.') ? familyWords(current) : auditActionWords(current),
    });
  }
  return [{ value: '', label: 'Any action' }, ...options];
}

/**
 * `2026-12-01T09:15:02+01:00` → day `2026-12-01`, clock `09:15:02`, offset `UTC+01:00`: the
 * school's own clock time (HUB_TIME_ZONE) with its offset, as the CSV has it (issue 9).
 */
function schoolTime(atLocal: string): { day: string; clock: string; offset: string } {
  const offset = atLocal.slice(19);
  return {
    day: atLocal.slice(0, 10),
    clock: atLocal.slice(11, 19),
    offset: `UTC${offset === 'Z' ? '+00:00' : offset}`,
  };
}

export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const applied = filtersFrom(params);
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [draft, setDraft] = useState<AuditFilters>(applied);
  // Each Filter is a step in the browser's history: Back, Forward or a link followed change the
  // address's filters without the form, which then shows them, so the fields always say what the
  // entries below are filtered by (and a Filter pressed next starts from them).
  const appliedKey = JSON.stringify(applied);
  const [draftOf, setDraftOf] = useState(appliedKey);
  if (draftOf !== appliedKey) {
    setDraftOf(appliedKey);
    setDraft(applied);
  }
  const query = auditQuery(applied);
  // Days the wrong way round are said here in the console's words; nothing is asked of the hub.
  const swappedDays = daysProblem(applied);
  const entries = useQuery({
    ...apiQuery<ListPage<AuditEntry>>('/api/audit', { ...query, page, pageSize: PAGE_SIZE }),
    enabled: swappedDays === null,
  });
  // Whom the applied Person text names (the same question the Person box asks while typing).
  const named = useQuery({
    ...apiQuery<ListPage<AuditPerson>>(AUDIT_PEOPLE_PATH, {
      search: query.actor,
      pageSize: PEOPLE_SHOWN,
    }),
    enabled: Boolean(query.actor),
  });
  const exportCsv = useMutation({
    mutationFn: () => api<Blob>('/api/audit/export.csv', { query, as: 'blob' }),
    onSuccess: (blob) => saveBlob(blob, 'audit-log.csv'),
  });

  const apply = (filters: AuditFilters, toPage = 1) => {
    const next = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      if (filters[key].trim()) {
        next.set(key, filters[key].trim());
      }
    }
    if (toPage > 1) {
      next.set('page', String(toPage));
    }
    // The same filters again is no step in the history, so Forward still leads where it did.
    setParams(next, { replace: next.toString() === params.toString() });
    exportCsv.reset();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    apply(draft);
  };
  const set = (key: keyof AuditFilters) => (value: string) =>
    setDraft((old) => ({ ...old, [key]: value }));

  const { byField, form } = formErrorsOf(entries.error, [
    'actor',
    'action',
    'targetType',
    'targetId',
    'from',
    'to',
  ] as const);
  const data = entries.data;
  const whom =
    query.actor && named.data
      ? (peopleWords(named.data.items, named.data.total) ??
        (data?.total === 0
          ? `Nobody with entries in the log has “${String(query.actor)}” in their name or username.`
          : null))
      : null;

  return (
    <Page
      title="Audit log"
      actions={
        <Button
          variant="primary"
          onPress={() => exportCsv.mutate()}
          isPending={exportCsv.isPending}
        >
          Export CSV
        </Button>
      }
    >
      <ErrorMessage error={exportCsv.error} title="Could not export the CSV." />
      {exportCsv.isSuccess ? (
        <StatusMessage>The CSV of the filtered log was downloaded (audit-log.csv).</StatusMessage>
      ) : null}
      <Form className="filter-form" onSubmit={submit} aria-label="Filter the audit log">
        <PersonFilter value={draft.actor} onChange={set('actor')} errorMessage={byField.actor} />
        <Select
          label="Action"
          options={actionOptions(draft.action)}
          value={draft.action}
          onChange={set('action')}
          errorMessage={byField.action}
        />
        <TextField
          label="Target type"
          description="e.g. device, staff, group, policy, aup"
          value={draft.targetType}
          onChange={set('targetType')}
          errorMessage={byField.targetType}
        />
        <TextField
          label="Target id"
          description="The device's, person's or group's id"
          value={draft.targetId}
          onChange={set('targetId')}
          errorMessage={byField.targetId}
        />
        <TextField
          label="From (day)"
          type="date"
          value={draft.fromDate}
          onChange={set('fromDate')}
          errorMessage={byField.from}
        />
        <TextField
          label="To (day, included)"
          type="date"
          value={draft.toDate}
          onChange={set('toDate')}
          errorMessage={swappedDays ?? byField.to}
        />
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Filter
          </Button>
          <Button
            onPress={() => {
              setDraft(NO_FILTERS);
              apply(NO_FILTERS);
            }}
          >
            Clear filters
          </Button>
        </div>
      </Form>
      {form ? <ErrorMessage error={entries.error} title="Could not read the audit log." /> : null}
      {whom ? <StatusMessage>{whom}</StatusMessage> : null}
      {!data ? (
        entries.isPending && swappedDays === null ? (
          <StatusMessage>Loading the audit log…</StatusMessage>
        ) : null
      ) : (
        <>
          <DataTable
            label="Audit log entries"
            columns={[
              {
                id: 'at',
                name: 'When (school time)',
                cell: (row) => {
                  const { day, clock, offset } = schoolTime(row.atLocal);
                  return (
                    <time dateTime={row.at} className="audit-when">
                      <span>{day}</span> <span>{clock}</span>{' '}
                      <span className="audit-offset">{offset}</span>
                    </time>
                  );
                },
              },
              {
                id: 'actor',
                name: 'Who',
                cell: (row) => (
                  <span className="staff-name">
                    {row.actorName ?? row.actor ?? row.actorType}
                    {row.actorName && row.actor && row.actor !== row.actorName ? (
                      <span className="staff-username">{row.actor}</span>
                    ) : null}
                  </span>
                ),
              },
              {
                id: 'action',
                name: 'Action',
                isRowHeader: true,
                // The hub's words for it, from the same table as the filter's.
                cell: (row) => row.actionText,
              },
              {
                id: 'target',
                name: 'Target',
                cell: (row) =>
                  row.targetLabel ??
                  (row.targetType ? `${row.targetType} ${row.targetId ?? ''}`.trim() : '—'),
              },
              {
                id: 'detail',
                name: 'Detail',
                cell: (row) => <span className="audit-detail">{row.detailText || '—'}</span>,
              },
            ]}
            rows={data.items}
            rowKey={(row) => row.id}
            emptyText="No entries match these filters."
            stackWhenNarrow
          />
          <Pager
            label="Audit log pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun={['entry', 'entries']}
            onPageChange={(next) => apply(applied, next)}
          />
        </>
      )}
      <AupAcceptancesSection
        onShowAll={() => {
          const filters = { ...NO_FILTERS, action: 'aup.accepted' };
          setDraft(filters);
          apply(filters);
        }}
      />
    </Page>
  );
}
