import { IconCloudFilled } from '@tabler/icons-react';

export function Logo({ size = 28 }: { size?: number }) {
  return <IconCloudFilled size={size} color="var(--mantine-primary-color-filled)" aria-hidden />;
}
