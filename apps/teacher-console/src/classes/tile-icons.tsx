// The small pictures on a tablet's tile (issue 12). Each stands beside the words that say the
// same, so a teacher scanning 30 tiles sees the shape, and nobody depends on it or on colour:
// the icons are hidden from screen readers. Inline SVG in the page's own colour (currentColor);
// no inline styles, which the hub's Content-Security-Policy refuses.
import type { ReactNode } from 'react';

export type TileIconName =
  | 'online'
  | 'offline'
  | 'locked'
  | 'unlocked'
  | 'unknown'
  | 'app'
  | 'battery'
  | 'waiting'
  | 'done'
  | 'absent'
  | 'camera'
  | 'trip';

const PATHS: Record<TileIconName, ReactNode> = {
  // A filled dot, and a hollow ring.
  online: <circle cx="12" cy="12" r="6" fill="currentColor" />,
  offline: <circle cx="12" cy="12" r="5.5" fill="none" strokeWidth="2" />,
  // A closed padlock, and one with its shackle open.
  locked: (
    <>
      <rect x="5" y="11" width="14" height="10" rx="2" fill="currentColor" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" fill="none" strokeWidth="2" />
    </>
  ),
  unlocked: (
    <>
      <rect x="5" y="11" width="14" height="10" rx="2" fill="none" strokeWidth="2" />
      <path d="M8 11V8a4 4 0 0 1 7.7-1.5" fill="none" strokeWidth="2" />
    </>
  ),
  unknown: (
    <path d="M9 9a3 3 0 1 1 4 2.8c-.7.3-1 .9-1 1.7V15M12 18.5v.5" fill="none" strokeWidth="2" />
  ),
  // Four app squares.
  app: (
    <>
      <rect x="4" y="4" width="7" height="7" rx="1.5" fill="none" strokeWidth="2" />
      <rect x="13" y="4" width="7" height="7" rx="1.5" fill="none" strokeWidth="2" />
      <rect x="4" y="13" width="7" height="7" rx="1.5" fill="none" strokeWidth="2" />
      <rect x="13" y="13" width="7" height="7" rx="1.5" fill="none" strokeWidth="2" />
    </>
  ),
  battery: (
    <>
      <rect x="3" y="7" width="16" height="10" rx="2" fill="none" strokeWidth="2" />
      <path d="M21 10v4" fill="none" strokeWidth="2" />
    </>
  ),
  // An hourglass: still to do. A tick: done.
  waiting: (
    <path
      d="M7 3h10M7 21h10M8 3c0 5 8 5 8 9s-8 4-8 9M16 3c0 5-8 5-8 9s8 4 8 9"
      fill="none"
      strokeWidth="2"
    />
  ),
  done: <path d="M5 12.5l4.5 4.5L19 7.5" fill="none" strokeWidth="2.5" />,
  // A camera body with its lens.
  camera: (
    <>
      <path d="M4 8h3l1.5-2h7L17 8h3v11H4z" fill="none" strokeWidth="2" />
      <circle cx="12" cy="13" r="3.5" fill="none" strokeWidth="2" />
    </>
  ),
  // A person with a line through.
  absent: (
    <>
      <circle cx="12" cy="8" r="3.5" fill="none" strokeWidth="2" />
      <path d="M5 20c.8-3.5 3.5-5.5 7-5.5s6.2 2 7 5.5M4 4l16 16" fill="none" strokeWidth="2" />
    </>
  ),
  // A coach seen from the front, as a school trip goes: windscreen, lights and wheels.
  trip: (
    <>
      <rect x="4.5" y="3" width="15" height="15" rx="2.5" fill="none" strokeWidth="2" />
      <path
        d="M4.5 10.5h15M8 14.5h.5M15.5 14.5h.5M7.5 18v2.5M16.5 18v2.5"
        fill="none"
        strokeWidth="2"
      />
    </>
  ),
};

/** One 1.1 em icon, hidden from assistive technology (its words are beside it). */
export function TileIcon({ name }: { name: TileIconName }) {
  return (
    <svg
      className={`tile-icon tile-icon-${name}`}
      viewBox="0 0 24 24"
      stroke="currentColor"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[name]}
    </svg>
  );
}
