import { Badge, Button, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { IconPencil, IconUserPlus } from '@tabler/icons-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { createUser, listGroups, listUsers, updateUser, type AdminGroup, type AdminUser } from '../api/admin';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatBytes } from '../ui/format';
import { UserGroupsSection } from './UserGroupsSection';

const STATUS = [
  { value: 'active', label: 'Active' },
  { value: 'manual_banned', label: 'Disabled' },
];

/** Users: create, change group and status (disable), set a new password. Quotas belong to groups. */
export function UsersPanel() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [groups, setGroups] = useState<AdminGroup[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<AdminUser | 'new' | null>(null);
  const load = useCallback(() => {
    setError(null);
    listUsers()
      .then((page) => {
        setUsers(page.users);
        setNext(page.pagination.next_token);
      })
      .catch(setError);
    listGroups()
      .then((answer) => setGroups(answer.groups))
      .catch(() => setGroups([]));
  }, []);
  useEffect(load, [load]);
  const more = () =>
    listUsers(next)
      .then((page) => {
        setUsers((previous) => [...(previous ?? []), ...page.users]);
        setNext(page.pagination.next_token);
      })
      .catch(setError);

  return (
    <Stack>
      <Group justify="flex-end">
        <Button leftSection={<IconUserPlus size={16} />} onClick={() => setEditing('new')}>
          New user
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {users && (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Email</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Group</Table.Th>
                <Table.Th>Storage</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th w={80}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((user) => (
                <Table.Tr key={user.id}>
                  <Table.Td>{user.email}</Table.Td>
                  <Table.Td>{user.nickname}</Table.Td>
                  <Table.Td>{user.group.name}</Table.Td>
                  <Table.Td>
                    {formatBytes(user.storage_used)}
                    {user.max_storage !== null && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        of {formatBytes(user.max_storage)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={user.status === 'active' ? 'teal' : 'gray'} variant="outline">
                      {user.status === 'active' ? 'Active' : 'Disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      leftSection={<IconPencil size={14} />}
                      onClick={() => setEditing(user)}
                      aria-label={`Edit ${user.email}`}
                    >
                      Edit
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {next && (
        <Group justify="center">
          <Button variant="light" onClick={more}>
            Show more
          </Button>
        </Group>
      )}
      <UserDialog user={editing} groups={groups} onClose={() => setEditing(null)} onSaved={load} />
    </Stack>
  );
}

function UserDialog({
  user,
  groups,
  onClose,
  onSaved,
}: {
  user: AdminUser | 'new' | null;
  groups: AdminGroup[];
  onClose(): void;
  onSaved(): void;
}) {
  const existing = user && user !== 'new' ? user : null;
  const [email, setEmail] = useState('');
  const [nickname, setNickname] = useState('');
  const [group, setGroup] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>('active');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setEmail(existing?.email ?? '');
    setNickname(existing?.nickname ?? '');
    setGroup(existing?.group.id ?? null);
    setStatus(existing?.status ?? 'active');
    setPassword('');
    setError(null);
  }, [user, existing]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (existing) {
        // Only what changed: the server refuses some changes (your own status or group) on their own.
        await updateUser(existing.id, {
          ...(email.trim() !== existing.email && { email: email.trim() }),
          ...(nickname.trim() !== existing.nickname && { nickname: nickname.trim() }),
          ...(group && group !== existing.group.id && { group_id: group }),
          ...(status && status !== existing.status && { status: status as AdminUser['status'] }),
          ...(password && { password }),
        });
      } else {
        await createUser({
          email: email.trim(),
          password,
          ...(nickname.trim() && { nickname: nickname.trim() }),
          ...(group && { group_id: group }),
        });
      }
      onSaved();
      onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={user !== null} onClose={onClose} title={existing ? `Edit ${existing.email}` : 'New user'} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Email" type="email" value={email} onChange={(event) => setEmail(event.currentTarget.value)} required />
          <TextInput label="Name" value={nickname} onChange={(event) => setNickname(event.currentTarget.value)} />
          <Select
            label="Group"
            data={groups.map((item) => ({ value: item.id, label: item.name }))}
            value={group}
            onChange={setGroup}
            placeholder="User (the default)"
            description="Quota and permissions come from the group"
          />
          {existing && <UserGroupsSection userId={existing.id} email={existing.email} groups={groups} />}
          {existing && <Select label="Status" data={STATUS} value={status} onChange={setStatus} allowDeselect={false} />}
          <PasswordInput
            label={existing ? 'New password' : 'Password'}
            description={existing ? 'Leave empty to keep the current password' : undefined}
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            required={!existing}
            autoComplete="new-password"
          />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
