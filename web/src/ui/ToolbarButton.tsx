import { ActionIcon, Button, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { ComponentPropsWithoutRef, ReactNode, Ref } from 'react';

export interface ToolbarButtonProps extends Omit<ComponentPropsWithoutRef<'button'>, 'color'> {
  readonly label: string;
  readonly icon: ReactNode;
  readonly color?: string;
  readonly variant?: 'default' | 'light' | 'filled' | 'subtle';
  /** Always the icon alone (still named by `label`). */
  readonly iconOnly?: boolean;
  /** A menu target passes its ref and handlers through (React 19: ref is a prop). */
  readonly ref?: Ref<HTMLButtonElement>;
}

/** A labelled button on wide screens, an icon with the same accessible name on phones. */
export function ToolbarButton({ label, icon, color, variant = 'default', iconOnly, ref, ...rest }: ToolbarButtonProps) {
  const wide = useMediaQuery('(min-width: 48em)', true);
  if (wide && !iconOnly) {
    return (
      <Button ref={ref} size="sm" variant={variant} color={color} leftSection={icon} {...rest}>
        {label}
      </Button>
    );
  }
  return (
    <Tooltip label={label}>
      <ActionIcon ref={ref} size="lg" variant={variant} color={color} aria-label={label} {...rest}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
}
