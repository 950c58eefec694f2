import { useEffect, useRef, type RefObject } from 'react';
import type { FileResponse } from '../api/types';
import type { MenuPosition } from './ContextMenu';
import type { Selection } from './useSelection';

/** Both React's and the DOM's keyboard events. */
export type KeyLike = Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'preventDefault'>;

export interface KeyboardTargets {
  readonly items: readonly FileResponse[];
  readonly selection: Selection;
  readonly grid: boolean;
  /** Each item's element, to move the focus to. */
  readonly elements: RefObject<Map<number, HTMLElement>>;
  open(item: FileResponse): void;
  remove(items: FileResponse[]): void;
  rename(item: FileResponse): void;
  openMenu(at: MenuPosition): void;
  /** To the parent folder. */
  up(): void;
}

/**
 * The file manager's keys: arrows (Shift extends, Ctrl moves the focus only), Home/End,
 * Space toggles, Enter opens, Delete, F2 renames, Ctrl+A, Escape, Backspace or Alt+↑ for the
 * parent folder, the menu key or Shift+F10 for the item menu. With nothing focused (after a
 * dialog closed, or on arrival) they still act on the listing; on the toolbar, the keys that
 * act on the selection do (Enter and Space still press buttons).
 */
export function useFileKeyboard(targets: KeyboardTargets): (event: KeyLike) => void {
  const onKeyDown = (event: KeyLike) => {
    const { items, selection, grid, elements } = targets;
    if (items.length === 0) return;
    const focus = selection.focus;
    const move = (to: number) => {
      const index = Math.max(0, Math.min(items.length - 1, to));
      if (event.shiftKey) selection.select(index, 'range');
      else if (event.ctrlKey || event.metaKey) selection.setFocus(index);
      else selection.select(index, 'only');
      elements.current.get(index)?.focus();
      event.preventDefault();
    };
    /** In the grid, the item straight above or below (same column). */
    const vertical = (step: 1 | -1): number => {
      const origin = elements.current.get(focus)?.getBoundingClientRect();
      if (!origin) return focus;
      for (let index = focus + step; index >= 0 && index < items.length; index += step) {
        const rect = elements.current.get(index)?.getBoundingClientRect();
        if (rect && Math.abs(rect.left - origin.left) < 2 && rect.top !== origin.top) return index;
      }
      return focus;
    };
    const menu = () => {
      event.preventDefault();
      if (!selection.isSelected(items[focus]!.id)) selection.select(focus, 'only');
      const rect = elements.current.get(focus)?.getBoundingClientRect();
      targets.openMenu({ x: (rect?.left ?? 0) + 24, y: rect?.bottom ?? 0 });
    };
    const control = event.ctrlKey || event.metaKey;
    if (event.key === 'Backspace' || (event.altKey && event.key === 'ArrowUp')) {
      event.preventDefault();
      return targets.up();
    }
    if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) return menu();
    if (control && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      return selection.selectAll();
    }
    switch (event.key) {
      case 'ArrowDown':
        return move(grid ? vertical(1) : focus + 1);
      case 'ArrowUp':
        return move(grid ? vertical(-1) : focus - 1);
      case 'ArrowRight':
        return grid ? move(focus + 1) : undefined;
      case 'ArrowLeft':
        return grid ? move(focus - 1) : undefined;
      case 'Home':
        return move(0);
      case 'End':
        return move(items.length - 1);
      case ' ':
        event.preventDefault();
        return selection.select(focus, 'toggle');
      case 'Enter':
        event.preventDefault();
        return targets.open(items[focus]!);
      case 'Delete':
        event.preventDefault();
        if (selection.selected.length > 0) targets.remove(selection.selected);
        return;
      case 'F2':
        event.preventDefault();
        if (selection.selected.length <= 1) targets.rename(selection.selected[0] ?? items[focus]!);
        return;
      case 'Escape':
        return selection.clear();
    }
  };

  const latest = useRef(onKeyDown);
  useEffect(() => {
    latest.current = onKeyDown;
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const target = event.target as HTMLElement;
      if (target === document.body) return latest.current(event);
      if (target.closest('input, textarea, select, [contenteditable], [role=dialog], [role=menu], [role=grid], [role=listbox]')) return;
      const selectionKey =
        ['Delete', 'F2', 'Escape'].includes(event.key) || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a');
      if (selectionKey) latest.current(event);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
  return onKeyDown;
}
