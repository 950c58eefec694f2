import { useCallback, useMemo, useState } from 'react';
import type { FileResponse } from '../api/types';

export type SelectMode = 'only' | 'toggle' | 'range';

export interface Selection {
  readonly ids: ReadonlySet<string>;
  readonly selected: FileResponse[];
  /** The item keyboard navigation starts from. */
  readonly focus: number;
  setFocus(index: number): void;
  select(index: number, mode: SelectMode): void;
  selectAll(): void;
  clear(): void;
  isSelected(id: string): boolean;
}

/**
 * Multi-select as file managers do it: click selects one, Ctrl/⌘-click toggles, Shift-click
 * (or Shift+arrows) selects the range from the anchor. Ids that left the listing drop out.
 */
export function useSelection(items: readonly FileResponse[]): Selection {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const [anchor, setAnchor] = useState(0);
  const [focus, setFocusState] = useState(0);

  const present = useMemo(() => new Set(items.map((item) => item.id)), [items]);
  const live = useMemo(() => new Set([...ids].filter((id) => present.has(id))), [ids, present]);
  const selected = useMemo(() => items.filter((item) => live.has(item.id)), [items, live]);

  const select = useCallback(
    (index: number, mode: SelectMode) => {
      const item = items[index];
      if (!item) return;
      setFocusState(index);
      if (mode === 'only') {
        setIds(new Set([item.id]));
        setAnchor(index);
      } else if (mode === 'toggle') {
        setIds((previous) => {
          const next = new Set(previous);
          if (next.has(item.id)) next.delete(item.id);
          else next.add(item.id);
          return next;
        });
        setAnchor(index);
      } else {
        const [from, to] = anchor <= index ? [anchor, index] : [index, anchor];
        setIds(new Set(items.slice(from, to + 1).map((entry) => entry.id)));
      }
    },
    [items, anchor],
  );

  return {
    ids: live,
    selected,
    focus: Math.min(focus, Math.max(items.length - 1, 0)),
    setFocus: setFocusState,
    select,
    selectAll: useCallback(() => setIds(new Set(items.map((item) => item.id))), [items]),
    clear: useCallback(() => setIds(new Set()), []),
    isSelected: (id: string) => live.has(id),
  };
}
