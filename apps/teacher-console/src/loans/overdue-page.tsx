// Office and ICT: the loans past their due day (GET /api/loans?status=overdue), a page at a time,
// each with how many days overdue, who has it and who lent it, so the office can chase them. The
// hub also reminds each borrower once a week while a loan is overdue, except a borrower whose
// account is disabled (they have left the school): their loan says "Account disabled" in words,
// and that no reminders go to them, so the office chases it another way.
import type { Loan, Page as ApiPage } from '@app/hub-api';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import {
  BorrowerName,
  DataTable,
  daysWords,
  ErrorMessage,
  formatDay,
  Link,
  Page,
  Pager,
  StatusMessage,
  useAddressFilters,
} from '../ui';
import { LOANS_PATH } from './loan-words';

const PAGE_SIZE = 50;

export default function OverduePage() {
  const [params, change] = useAddressFilters();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const loans = useQuery({
    ...apiQuery<ApiPage<Loan>>(LOANS_PATH, { status: 'overdue', page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const data = loans.data;
  return (
    <Page
      title="Overdue loans"
      actions={
        <Link className="page-action-link" href="/desk">
          Office desk
        </Link>
      }
    >
      <ErrorMessage error={loans.error} title="Could not read the overdue loans." />
      {!data ? (
        loans.isPending ? (
          <StatusMessage>Loading overdue loans…</StatusMessage>
        ) : null
      ) : (
        <>
          <DataTable
            label="Overdue loans"
            rows={data.items}
            rowKey={(loan) => loan.id}
            emptyText="Nothing is overdue."
            columns={[
              {
                id: 'assetTag',
                name: 'Asset tag',
                isRowHeader: true,
                cell: (loan) => <Link href={`/inventory/${loan.assetId}`}>{loan.assetTag}</Link>,
              },
              {
                id: 'borrower',
                name: 'Borrower',
                cell: (loan) => (
                  <BorrowerName name={loan.borrowerName} disabled={loan.borrowerDisabled} chase />
                ),
              },
              { id: 'due', name: 'Was due', cell: (loan) => formatDay(loan.dueAt) },
              {
                id: 'overdue',
                name: 'Overdue by',
                cell: (loan) => <strong>{daysWords(loan.daysOverdue)}</strong>,
              },
              {
                id: 'issued',
                name: 'Checked out',
                cell: (loan) => `${formatDay(loan.issuedAt)} by ${loan.issuedByName}`,
              },
            ]}
          />
          <Pager
            label="Overdue loan pages"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun={['overdue loan', 'overdue loans']}
            onPageChange={(next) => change({ page: String(next) })}
          />
        </>
      )}
    </Page>
  );
}
