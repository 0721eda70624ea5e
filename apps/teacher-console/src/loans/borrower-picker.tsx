// The borrower at the desk, picked by name (issue 13: "Check-out picks the borrower by name").
// Loans are to staff accounts only, and an office clerk may not read ICT's staff list, so the
// names come from the loans module's own borrower search, which also says whether each person has
// accepted the current AUP (the desk then shows it to read before "Check out").
import type { Page as ApiPage } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { apiQuery } from '../api/client';
import { ErrorMessage, SearchPicker, useSettled } from '../ui';
import { BORROWERS_PATH, type Borrower } from './loan-words';

/** Names shown per search: enough to tell two Smiths apart. */
const MATCHES_SHOWN = 20;

export interface BorrowerPickerProps {
  picked: Borrower | null;
  onPick: (borrower: Borrower | null) => void;
  errorMessage?: string | null;
  /** Takes the focus when it appears (the check-out's first step after a scan). */
  autoFocus?: boolean;
}

/** A search-as-you-type picker of staff by name or username. */
export function BorrowerPicker({ picked, onPick, errorMessage, autoFocus }: BorrowerPickerProps) {
  const [search, setSearch] = useState(picked?.displayName ?? '');
  const settled = useSettled(search.trim(), 250);
  const searching = settled !== '' && settled !== picked?.displayName;
  const matches = useQuery({
    ...apiQuery<ApiPage<Borrower>>(BORROWERS_PATH, { search: settled, pageSize: MATCHES_SHOWN }),
    enabled: searching,
  });
  const found = matches.data?.items ?? [];
  const people = picked && !found.some((b) => b.id === picked.id) ? [picked, ...found] : found;
  const items = people.map((borrower) => ({
    id: borrower.id,
    label: borrower.displayName,
    detail: [
      borrower.username,
      borrower.disabled ? 'account disabled' : null,
      borrower.aupAccepted === false ? 'has not accepted the AUP' : null,
    ]
      .filter(Boolean)
      .join(', '),
  }));
  return (
    <>
      <SearchPicker
        label="Borrower"
        description="Type part of their name, then choose them."
        search={search}
        onSearchChange={(value) => {
          setSearch(value);
          if (picked && value !== picked.displayName) {
            onPick(null);
          }
        }}
        items={items}
        selectedId={picked?.id ?? null}
        onSelectedChange={(id) => onPick(people.find((b) => b.id === id) ?? null)}
        emptyText={
          settled === ''
            ? 'Type a name to search.'
            : matches.isFetching
              ? 'Searching…'
              : 'No member of staff has that name.'
        }
        errorMessage={errorMessage}
        autoFocus={autoFocus}
      />
      <ErrorMessage error={matches.error} title="Could not search the staff." />
    </>
  );
}
