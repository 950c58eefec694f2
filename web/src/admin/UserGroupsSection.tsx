import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { IconLogout, IconPlus } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { AdminGroup } from '../api/admin';
import { groupsOfUser, joinGroup, leaveGroup, type UserGroup } from '../api/mounts';
import { ErrorAlert } from '../ui/ErrorAlert';

/**
 * The groups a user joined beside their primary one (each gives the shared folder of the same
 * name). Joining and leaving take effect at once, apart from the dialog's Save.
 */
export function UserGroupsSection({ userId, email, groups }: { userId: string; email: string; groups: readonly AdminGroup[] }) {
  const [joined, setJoined] = useState<UserGroup[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    groupsOfUser(userId).then(setJoined).catch(setError);
  }, [userId]);

  const act = async (work: () => Promise<UserGroup[]>) => {
    setBusy(true);
    setError(null);
    try {
      setJoined(await work());
      setChosen(null);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const extra = joined?.filter((group) => !group.primary) ?? [];
  const member = new Set(joined?.map((group) => group.id));
  const options = groups.filter((group) => !member.has(group.id)).map((group) => ({ value: group.id, label: group.name }));

  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Other groups
      </Text>
      {joined && extra.length === 0 && (
        <Text size="sm" c="dimmed">
          None: only the primary group.
        </Text>
      )}
      {extra.map((group) => (
        <Group key={group.id} justify="space-between" wrap="nowrap">
          <Text size="sm">{group.name}</Text>
          <Button
            size="compact-sm"
            variant="subtle"
            color="red"
            leftSection={<IconLogout size={14} />}
            disabled={busy}
            onClick={() => void act(() => leaveGroup(userId, group.id))}
            aria-label={`Take ${email} out of ${group.name}`}
          >
            Leave
          </Button>
        </Group>
      ))}
      <Group align="flex-end" wrap="nowrap">
        <Select
          label="Join a group"
          description="A shared folder's group gives its folder"
          data={options}
          value={chosen}
          onChange={setChosen}
          searchable
          style={{ flex: 1 }}
        />
        <Button
          variant="default"
          leftSection={<IconPlus size={16} />}
          disabled={chosen === null || busy}
          onClick={() => void act(() => joinGroup(userId, chosen!))}
        >
          Join
        </Button>
      </Group>
      <ErrorAlert error={error} />
    </Stack>
  );
}
