// Previous / next for a list the hub pages (server-side): "Page 2 of 7 (312 entries)", with
// buttons that cannot go past either end. A page past the last (an old link) says so and offers
// the last page.
import { Button } from './button';

export interface PagerProps {
  /** From 1. */
  page: number;
  pageSize: number;
  total: number;
  /** What the list holds: plural ("devices"), or one and many (["entry", "entries"]). */
  noun: string | readonly [string, string];
  onPageChange: (page: number) => void;
  /** The list it pages, for the group's accessible name ("Audit log pages"). */
  label: string;
}

export function Pager({ page, pageSize, total, noun, onPageChange, label }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const [one, many] = typeof noun === 'string' ? [noun, noun] : noun;
  const counted = `${total.toLocaleString('en-GB')} ${total === 1 ? one : many}`;
  if (page > pages) {
    // An old link, or a list that shrank (retention, a filter): its empty page would read as if
    // nothing matched, though the list has entries.
    return (
      <nav className="pager" aria-label={label}>
        <span className="pager-where" role="status">
          Page {page.toLocaleString('en-GB')} is past the last page: the list has{' '}
          {pages.toLocaleString('en-GB')} {pages === 1 ? 'page' : 'pages'} ({counted}).
        </span>
        <Button onPress={() => onPageChange(pages)}>Go to the last page</Button>
      </nav>
    );
  }
  return (
    <nav className="pager" aria-label={label}>
      <Button onPress={() => onPageChange(page - 1)} isDisabled={page <= 1}>
        Previous
      </Button>
      <span className="pager-where" aria-live="polite">
        Page {page.toLocaleString('en-GB')} of {pages.toLocaleString('en-GB')} ({counted})
      </span>
      <Button onPress={() => onPageChange(page + 1)} isDisabled={page >= pages}>
        Next
      </Button>
    </nav>
  );
}
