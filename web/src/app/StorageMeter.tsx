import { Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { capacity } from '../api/user';
import type { Capacity } from '../api/types';
import { useUploads } from '../uploads/UploadProvider';
import { formatBytes, percentOf } from '../ui/format';

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
  const percent = Math.min(100, percentOf(value.used, value.total));
  return (
    <Stack gap={4} p="xs">
      <Progress value={percent} size="sm" aria-label="Storage used" color={percent > 90 ? 'red' : 'blue'} />
      <Text size="xs" c="dimmed">
        {formatBytes(value.used)} of {formatBytes(value.total)} used
      </Text>
    </Stack>
  );
}
