import { Menu } from '@mantine/core';
import type { ReactNode } from 'react';

export interface MenuPosition {
  readonly x: number;
  readonly y: number;
}

/** A Mantine menu opened at a point (right-click, the ⋯ button, or the keyboard's menu key). */
export function ContextMenu({
  at,
  onClose,
  label,
  children,
}: {
  at: MenuPosition | null;
  onClose(): void;
  label: string;
  children: ReactNode;
}) {
  return (
    <Menu
      opened={at !== null}
      onChange={(opened) => !opened && onClose()}
      position="bottom-start"
      offset={2}
      withinPortal
      shadow="md"
      width={220}
    >
      <Menu.Target>
        <div className="context-anchor" style={{ left: at?.x ?? 0, top: at?.y ?? 0 }} aria-hidden />
      </Menu.Target>
      <Menu.Dropdown aria-label={label}>{children}</Menu.Dropdown>
    </Menu>
  );
}
