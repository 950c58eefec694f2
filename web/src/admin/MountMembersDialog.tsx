import { Badge, Button, Group, List, Modal, Select, Stack, Text } from '@mantine/core';
import { IconUserMinus, IconUserPlus } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { allUsers, type AdminUser } from '../api/admin';
import { joinGroup, leaveGroup, mountMembers, type AdminMount } from '../api/mounts';
import { ErrorAlert } from '../ui/ErrorAlert';
import { useAction } from '../ui/useAction';

interface Member {
  readonly user: { readonly id: string; readonly email: string };
  /** The mount's group is this user's primary group: they leave it by moving to another group. */
  readonly primary: boolean;
}

/** Who sees a shared folder: the members of its group, in one request. */
async function membersOf(mount: AdminMount): Promise<Member[]> {
  return (await mountMembers(mount.name)).map(({ id, email, primary }) => ({ user: { id, email }, primary }));
}

/** The members of one shared folder: list, add a user by email, take one out. */
export function MountMembersDialog({
  mount,
  onClose,
  onChanged,
}: {
  mount: AdminMount | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [members, setMembers] = useState<Member[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!mount) return;
    const [everyone, members] = await Promise.all([allUsers(), membersOf(mount)]);
    setUsers(everyone);
    setMembers(members);
  }, [mount]);
  const reload = useCallback(async () => {
    await load();
    onChanged();
  }, [load, onChanged]);
  const { busy, error, setError, act } = useAction(reload);
  useEffect(() => {
    setMembers(null);
    setChosen(null);
    setError(null);
    load().catch(setError);
  }, [load, setError]);

  const memberIds = new Set(members?.map((member) => member.user.id));
  const candidates = users.filter((user) => !memberIds.has(user.id)).map((user) => ({ value: user.id, label: user.email }));

  return (
    <Modal opened={mount !== null} onClose={onClose} title={`Members of ${mount?.name ?? ''}`} centered>
      <Stack>
        <ErrorAlert error={error} />
        {members && members.length === 0 && <Text c="dimmed">No members yet.</Text>}
        {members && members.length > 0 && (
          <List listStyleType="none" spacing="xs" aria-label={`Members of ${mount?.name ?? ''}`}>
            {members.map(({ user, primary }) => (
              <List.Item key={user.id}>
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm">{user.email}</Text>
                  {primary ? (
                    <Badge variant="outline" color="gray">
                      Primary group
                    </Badge>
                  ) : (
                    <Button
                      size="xs"
                      color="red"
                      variant="subtle"
                      leftSection={<IconUserMinus size={14} />}
                      disabled={busy}
                      onClick={() => void act(() => leaveGroup(user.id, mount!.group_id))}
                      aria-label={`Remove ${user.email} from ${mount?.name ?? ''}`}
                    >
                      Remove
                    </Button>
                  )}
                </Group>
              </List.Item>
            ))}
          </List>
        )}
        <Group align="flex-end" wrap="nowrap">
          <Select
            label="Add a member"
            placeholder="Search by email"
            searchable
            data={candidates}
            value={chosen}
            onChange={setChosen}
            nothingFoundMessage="No such user"
            style={{ flex: 1 }}
          />
          <Button
            leftSection={<IconUserPlus size={16} />}
            disabled={chosen === null}
            loading={busy}
            onClick={() =>
              void act(async () => {
                await joinGroup(chosen!, mount!.group_id);
                setChosen(null);
              })
            }
          >
            Add member
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
