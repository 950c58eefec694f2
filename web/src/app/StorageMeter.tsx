import { Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { capacity } from '../api/user';
import type { Capacity } from '../api/types';
import { useUploads } from '../uploads/UploadProvider';
import { formatBytes } from '../ui/format';

/** Storage used against the quota (contract 16), refreshed as uploads finish. */
export function StorageMeter() {
  const [value, setValue] = useState<Capacity | null>(null);
  const { completedCount } = useUploads();
  useEffect(() => {
    capacity()
      .then(setValue)
      .catch(() => setValue(null));
  }, [completedCount]);
  if (!value) return null;
  const percent = value.total > 0 ? Math.min(100, (value.used / value.total) * 100) : 0;
  return (
    <Stack gap={4} p="xs">
      <Progress value={percent} size="sm" aria-label="Storage used" color={percent > 90 ? 'red' : 'blue'} />
      <Text size="xs" c="dimmed">
        {formatBytes(value.used)} of {formatBytes(value.total)} used
      </Text>
    </Stack>
  );
}
