import type { KeyboardEvent, MouseEvent } from 'react';
import type { FileResponse, OrderBy, OrderDirection } from '../api/types';
import type { Selection } from './useSelection';

/** What the list and grid views share. */
export interface FileViewProps {
  readonly items: FileResponse[];
  readonly selection: Selection;
  readonly sort: { by: OrderBy; direction: OrderDirection };
  onSort(by: OrderBy): void;
  onOpen(item: FileResponse): void;
  /** Opens the item menu at the pointer, or at the clicked button. */
  onMenu(event: MouseEvent, index: number): void;
  onKeyDown(event: KeyboardEvent): void;
  /** Keeps each item's element, so keyboard navigation can move the focus. */
  register(index: number, element: HTMLElement | null): void;
  /** The link a folder opens. */
  hrefOf(item: FileResponse): string;
}
