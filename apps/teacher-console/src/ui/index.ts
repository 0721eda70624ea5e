// The few shared pieces every screen builds on. Screens import from here ('../ui').
export { Button, type ButtonProps } from './button';
export { ConfirmDialog, type ConfirmDialogProps } from './confirm-dialog';
export { Dialog, type DialogProps } from './dialog';
export { ErrorMessage, StatusMessage, type ErrorMessageProps } from './error-message';
export { Page, type PageProps } from './page';
export { DataTable, type DataColumn, type DataTableProps } from './table';
export { TextField, type TextFieldProps } from './text-field';
export { Link, type LinkProps } from 'react-aria-components';
