// The few shared pieces every screen builds on. Screens import from here ('../ui').
export { useAddressFilters, type FilterChange } from './address-filters';
export { Button, type ButtonProps } from './button';
export { BorrowerName, CHASE_ANOTHER_WAY, type BorrowerNameProps } from './borrower-name';
export { ChangedMeanwhileNotice, type ChangedMeanwhileNoticeProps } from './changed-meanwhile';
export { CheckboxGroup, type CheckboxGroupProps } from './checkbox-group';
export { ConfirmDialog, type ConfirmDialogProps } from './confirm-dialog';
export { CopyText, type CopyTextProps } from './copy-text';
export { Dialog, type DialogProps } from './dialog';
export { ErrorMessage, StatusMessage, type ErrorMessageProps } from './error-message';
export { useFocusOnRefusal } from './focus-on-refusal';
export { useFocusWhenDropped } from './focus-when-dropped';
export { Page, type PageProps } from './page';
export { Pager, type PagerProps } from './pager';
export { ScanBox, SCAN_BOX_LABEL, type ScanBoxProps } from './scan-box';
export { Select, type SelectProps } from './select';
export { SearchPicker, type SearchPickerItem, type SearchPickerProps } from './search-picker';
export { DataTable, type DataColumn, type DataTableProps } from './table';
export { TextField, type TextFieldProps } from './text-field';
export { Switch, type SwitchProps } from './switch';
export { TextArea, type TextAreaProps } from './text-area';
export { useSettled } from './use-settled';
export {
  dayAt,
  dayInput,
  daysWords,
  formatDay,
  formatDayRange,
  formatTime,
  formatTimeRange,
} from './time';
export { Link, type LinkProps } from 'react-aria-components';
