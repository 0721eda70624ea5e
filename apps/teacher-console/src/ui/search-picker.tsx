// Find one item by typing and pick it (a device to add to a group), on react-aria-components'
// ComboBox. The search runs where the data is: the page passes the text typed
// (`onSearchChange`) to the hub and gives back the matching items, so a school with 10,000
// devices never sends them all to the browser.
import { plainFieldNames } from '@app/hub-api';
import { useContext, useEffect, useRef, useState } from 'react';
import {
  ComboBox,
  ComboBoxStateContext,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
} from 'react-aria-components';

export interface SearchPickerItem {
  id: string;
  /** What the item is called (read out and shown first). */
  label: string;
  /** More to tell items apart (serial number, asset tag). */
  detail?: string;
}

export interface SearchPickerProps {
  label: string;
  description?: string;
  /** The text typed so far. */
  search: string;
  onSearchChange: (search: string) => void;
  /** The hub's matches for `search`. */
  items: readonly SearchPickerItem[];
  /**
   * The picked item's id, or null. A picker that adds each pick somewhere else (and empties
   * `search`) keeps this null: its list closes after each pick.
   */
  selectedId: string | null;
  onSelectedChange: (id: string | null) => void;
  /** Shown in the list when nothing matches ("No devices match."). */
  emptyText: string;
  errorMessage?: string | null;
  isDisabled?: boolean;
  /**
   * The text typed stands on its own, not only as a search for an item (the audit log's Person
   * filter, sent as typed): Escape and moving on close the list and keep it. Otherwise react-aria
   * reopens the list over text that picked nothing.
   */
  allowsCustomValue?: boolean;
  /**
   * Takes the focus when it appears: the next step after a scan (the desk's borrower), so a
   * keyboard or scanner user goes on without touching the screen. Its list then opens once
   * something is typed, not on the focus: React Aria hides the rest of the page from screen
   * readers while the list is open, which would hide what the page says as the field appears
   * (the desk's "Someone else has just dealt with it").
   */
  autoFocus?: boolean;
}

export function SearchPicker({
  label,
  description,
  search,
  onSearchChange,
  items,
  selectedId,
  onSelectedChange,
  emptyText,
  errorMessage,
  isDisabled,
  allowsCustomValue,
  autoFocus,
}: SearchPickerProps) {
  const [picks, setPicks] = useState(0);
  return (
    <ComboBox
      className="field search-picker"
      items={items}
      inputValue={search}
      onInputChange={onSearchChange}
      selectedKey={selectedId}
      onSelectionChange={(key) => {
        if (key !== null) {
          setPicks((n) => n + 1);
        }
        onSelectedChange(key === null ? null : String(key));
      }}
      allowsEmptyCollection
      allowsCustomValue={allowsCustomValue}
      autoFocus={autoFocus}
      menuTrigger={autoFocus ? 'input' : 'focus'}
      isInvalid={Boolean(errorMessage)}
      isDisabled={isDisabled}
      validationBehavior="aria"
    >
      <Label className="field-label">{label}</Label>
      {description ? (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      ) : null}
      <Input className="field-input" />
      <CloseAfterPick picks={picks} selectedId={selectedId} />
      <FieldError className="field-error">
        {errorMessage ? plainFieldNames(errorMessage) : errorMessage}
      </FieldError>
      <Popover className="search-picker-popover">
        <ListBox
          className="search-picker-list"
          renderEmptyState={() => <p className="search-picker-empty">{emptyText}</p>}
        >
          {(item: SearchPickerItem) => (
            <ListBoxItem id={item.id} textValue={item.label} className="search-picker-option">
              <span className="search-picker-label">{item.label}</span>
              {item.detail ? <span className="search-picker-detail">{item.detail}</span> : null}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}

/**
 * Closes the list after a pick that left the selection null (a picker that adds each pick
 * elsewhere, such as "Add another leader"). React Aria closes a ComboBox's list on a pick only
 * when its selected key changes, and with the key and the text both controlled it leaves the rest
 * to the page; so that list stayed open, showing "Type a name to search." over what the pick had
 * just added, and hid the rest of the page from assistive technology, as if nobody was added.
 * Run once the page has emptied the text, so closing changes neither the text nor the selection.
 */
function CloseAfterPick({ picks, selectedId }: { picks: number; selectedId: string | null }) {
  const state = useContext(ComboBoxStateContext);
  const handled = useRef(picks);
  useEffect(() => {
    if (picks === handled.current) {
      return;
    }
    handled.current = picks;
    if (selectedId === null && state?.isOpen) {
      state.close();
    }
  }, [picks, selectedId, state]);
  return null;
}
