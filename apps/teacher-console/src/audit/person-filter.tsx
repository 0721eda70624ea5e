// The audit log's Person filter. A safeguarding lead knows people by name ("Mrs Patel"), not by
// username, so typing part of a name or username offers the matching people by name, from the
// audit reader's own list of the staff who acted in the log (GET /api/audit/people, for
// safeguarding and ICT: the staff list, with roles and email, is ICT's alone). Filtering on the
// text shows the entries of everyone it names, each saying who; choosing one person filters by
// their id, so only theirs, whatever they were called when each entry was written.
import type { AuditPerson, Page as ApiPage } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { apiQuery } from '../api/client';
import { ErrorMessage, SearchPicker, useSettled } from '../ui';

/** The staff the Person filter can name: GET /api/audit/people?search=&pageSize=. */
export const AUDIT_PEOPLE_PATH = '/api/audit/people';

/** Names offered per search: enough to tell the Patels of a school apart. */
export const PEOPLE_SHOWN = 20;

export interface PersonFilterProps {
  /** What the filter sends as `actor`: the text as typed, or a chosen person's id. */
  value: string;
  onChange: (actor: string) => void;
  errorMessage?: string | null;
}

/** A search-as-you-type Person box: free text, or one person chosen by name. */
export function PersonFilter({ value, onChange, errorMessage }: PersonFilterProps) {
  const [chosen, setChosen] = useState<AuditPerson | null>(null);
  const showing = chosen && chosen.id === value ? chosen : null;
  const text = showing ? showing.displayName : value;
  const settled = useSettled(text.trim(), 250);
  const matches = useQuery({
    ...apiQuery<ApiPage<AuditPerson>>(AUDIT_PEOPLE_PATH, {
      search: settled,
      pageSize: PEOPLE_SHOWN,
    }),
    enabled: settled !== '' && showing === null,
  });
  const found = showing ? [] : (matches.data?.items ?? []);
  // An address holding a chosen person's id (a reload, a link passed on) shows their name once
  // the hub has named them.
  const named = found.find((person) => person.id === value.trim().toLowerCase()) ?? null;
  useEffect(() => {
    if (named) {
      setChosen(named);
    }
  }, [named]);
  const people = showing ? [showing] : found;
  return (
    <>
      <SearchPicker
        label="Person"
        description="Part of a name or username (or a device's id); or choose one person."
        search={text}
        onSearchChange={(next) => {
          if (next !== text) {
            onChange(next);
          }
        }}
        items={people.map((person) => ({
          id: person.id,
          label: person.displayName,
          detail: person.username,
        }))}
        selectedId={showing?.id ?? null}
        onSelectedChange={(id) => {
          const person = people.find((candidate) => candidate.id === id);
          if (person) {
            setChosen(person);
            onChange(person.id);
          }
        }}
        emptyText={
          settled === ''
            ? 'Type part of a name or username.'
            : matches.isFetching
              ? 'Searching…'
              : 'Nobody with entries in the log has that name or username.'
        }
        errorMessage={errorMessage}
        allowsCustomValue
      />
      <ErrorMessage error={matches.error} title="Could not look up the names." />
    </>
  );
}
