// The console's button: react-aria-components' Button (press by mouse, touch and keyboard, a
// focus ring only for the keyboard), at least 44 px, in three kinds.
import { Button as AriaButton, type ButtonProps as AriaButtonProps } from 'react-aria-components';

export interface ButtonProps extends Omit<AriaButtonProps, 'className' | 'isPending'> {
  /** primary: the page's main action; danger: something that cannot be undone. */
  variant?: 'primary' | 'secondary' | 'danger';
  /**
   * The action is running: the button cannot be pressed again and says it is busy. Not React
   * Aria's own isPending: its announcement points at the button by id, and a button that goes
   * away when the work is done (sign-in, "I accept") leaves that reference dangling, which axe
   * reports as a serious violation.
   */
  isPending?: boolean;
}

export function Button({ variant = 'secondary', isPending, isDisabled, ...props }: ButtonProps) {
  return (
    <AriaButton
      {...props}
      isDisabled={isDisabled || isPending}
      aria-busy={isPending || undefined}
      className={`button button-${variant}${isPending ? ' button-pending' : ''}`}
    />
  );
}
