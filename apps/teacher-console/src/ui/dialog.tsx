// A modal dialog on react-aria-components: focus moves in and comes back, Escape closes it, the
// page behind is inert. Open it with a trigger (`trigger`) or control it (`isOpen`).
import type { ReactNode } from 'react';
import {
  Dialog as AriaDialog,
  DialogTrigger,
  Heading,
  Modal,
  ModalOverlay,
} from 'react-aria-components';

export interface DialogProps {
  title: string;
  /** The button that opens it (a ui/Button); leave out when controlled with isOpen. */
  trigger?: ReactNode;
  isOpen?: boolean;
  onOpenChange?: (isOpen: boolean) => void;
  /** Whether a click outside closes it (not for a form that would lose its input). */
  isDismissable?: boolean;
  /** The content; a function gets `close`. */
  children: ReactNode | ((close: () => void) => ReactNode);
  role?: 'dialog' | 'alertdialog';
}

/** A modal dialog titled `title`: opened by `trigger`, or controlled with `isOpen`. */
export function Dialog({
  title,
  trigger,
  isOpen,
  onOpenChange,
  isDismissable = false,
  children,
  role = 'dialog',
}: DialogProps) {
  // Opened by a trigger, the DialogTrigger holds the state and alone takes isOpen and
  // onOpenChange: the overlay given them as well is told it is controlled twice (React Aria's
  // "This modals state is controlled by a trigger" warning, seen on the Policies page).
  const control = trigger ? {} : { isOpen, onOpenChange };
  const modal = (
    <ModalOverlay className="modal-overlay" {...control} isDismissable={isDismissable}>
      <Modal className="modal">
        <AriaDialog className="dialog" role={role}>
          {({ close }) => (
            <>
              <Heading slot="title" className="dialog-title">
                {title}
              </Heading>
              {typeof children === 'function' ? children(close) : children}
            </>
          )}
        </AriaDialog>
      </Modal>
    </ModalOverlay>
  );
  if (!trigger) {
    return modal;
  }
  return (
    <DialogTrigger isOpen={isOpen} onOpenChange={onOpenChange}>
      {trigger}
      {modal}
    </DialogTrigger>
  );
}
