// One screen's frame: its heading (and the tab's title), its actions, and its content.
import { useEffect, type ReactNode } from 'react';

export interface PageProps {
  title: string;
  /** Buttons or links beside the heading. */
  actions?: ReactNode;
  children: ReactNode;
}

export function Page({ title, actions, children }: PageProps) {
  useEffect(() => {
    document.title = `${title} · Classroom hub`;
  }, [title]);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
