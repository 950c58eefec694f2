import { Group, Paper, Progress, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import { allUsers, listGroups, type AdminGroup, type AdminUser } from '../api/admin';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatBytes, percentOf } from '../ui/format';

const COLORS = ['blue', 'teal', 'grape', 'orange', 'cyan', 'pink', 'lime', 'indigo'];
const SHOWN = 8;

/** Totals, and storage per user as a bar chart (the largest first). */
export function OverviewPanel() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [groups, setGroups] = useState<AdminGroup[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    allUsers().then(setUsers).catch(setError);
    listGroups()
      .then((answer) => setGroups(answer.groups))
      .catch(setError);
  }, []);

  const ranked = [...(users ?? [])].sort((a, b) => b.storage_used - a.storage_used);
  const total = ranked.reduce((sum, user) => sum + user.storage_used, 0);
  const top = ranked.slice(0, SHOWN);
  const rest = ranked.slice(SHOWN).reduce((sum, user) => sum + user.storage_used, 0);
  const largest = Math.max(1, ...top.map((user) => user.storage_used));
  const disabled = ranked.filter((user) => user.status !== 'active').length;

  return (
    <Stack>
      <ErrorAlert error={error} />
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Users" value={users?.length} />
        <Stat label="Disabled" value={users ? disabled : undefined} />
        <Stat label="Groups" value={groups?.length} />
        <Stat label="Storage used" value={users ? formatBytes(total) : undefined} />
      </SimpleGrid>
      {top.length > 0 && (
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="sm">
            Storage by user
          </Title>
          <Progress.Root size={22} role="group" aria-label="Share of storage by user">
            {top.map((user, index) => (
              <Tooltip key={user.id} label={`${user.email}: ${formatBytes(user.storage_used)}`}>
                <Progress.Section
                  value={percentOf(user.storage_used, total)}
                  color={COLORS[index % COLORS.length]}
                  aria-label={user.email}
                />
              </Tooltip>
            ))}
            {rest > 0 && <Progress.Section value={percentOf(rest, total)} color="gray" aria-label="Everyone else" />}
          </Progress.Root>
          <Stack gap={6} mt="md" role="list" aria-label="Storage by user">
            {top.map((user, index) => (
              <Group key={user.id} gap="sm" wrap="nowrap" role="listitem">
                <Text size="sm" w={200} truncate title={user.email}>
                  {user.email}
                </Text>
                <Progress
                  value={percentOf(user.storage_used, largest)}
                  color={COLORS[index % COLORS.length]}
                  style={{ flex: 1 }}
                  aria-hidden
                />
                <Text size="sm" w={140} ta="right">
                  {formatBytes(user.storage_used)}
                  {user.max_storage ? ` / ${formatBytes(user.max_storage)}` : ''}
                </Text>
              </Group>
            ))}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: string | number | undefined }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value ?? '—'}
      </Text>
    </Paper>
  );
}
