import { Button, Group, Paper, PasswordInput, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { signOut } from '../api/session';
import type { Capacity } from '../api/types';
import { capacity, changePassword, endSession, listSessions, type ActiveSession } from '../api/user';
import { useSession } from '../auth/useSession';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatBytes, formatDate } from '../ui/format';

/** Storage against the quota, password, active sessions, sign-out. */
export function SettingsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const leave = async () => {
    await signOut();
    navigate('/login', { replace: true });
  };
  return (
    <Stack maw={760}>
      <Title order={1} size="h2">
        Settings
      </Title>
      <Paper withBorder p="md">
        <Stack gap={4}>
          <Text fw={600}>{session?.user.nickname}</Text>
          <Text size="sm" c="dimmed">
            {session?.user.email} · {session?.user.group?.name} group
          </Text>
        </Stack>
      </Paper>
      <StorageCard />
      <PasswordCard />
      <SessionsCard />
      <Paper withBorder p="md">
        <Group justify="space-between">
          <div>
            <Text fw={600}>Sign out</Text>
            <Text size="sm" c="dimmed">
              Ends this session on this device.
            </Text>
          </div>
          <Button color="red" variant="light" leftSection={<IconLogout size={16} />} onClick={leave}>
            Sign out
          </Button>
        </Group>
      </Paper>
    </Stack>
  );
}

function StorageCard() {
  const [value, setValue] = useState<Capacity | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    capacity().then(setValue).catch(setError);
  }, []);
  const percent = value && value.total > 0 ? (value.used / value.total) * 100 : 0;
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Storage
        </Title>
        <ErrorAlert error={error} />
        {value && (
          <>
            <Progress
              value={percent}
              size="lg"
              aria-label={`Storage used: ${Math.round(percent)}%`}
              color={percent > 90 ? 'red' : 'blue'}
            />
            <Text size="sm" data-testid="storage-used">
              {formatBytes(value.used)} used of {formatBytes(value.total)} ({percent < 1 && value.used > 0 ? '<1' : Math.round(percent)}%)
            </Text>
          </>
        )}
      </Stack>
    </Paper>
  );
}

function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    if (next !== repeat) {
      setError(new Error('The two new passwords differ.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeat('');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Change password">
        <Stack gap="xs">
          <Title order={2} size="h4">
            Password
          </Title>
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.currentTarget.value)}
            required
          />
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            value={next}
            onChange={(event) => setNext(event.currentTarget.value)}
            required
          />
          <PasswordInput
            label="New password again"
            autoComplete="new-password"
            value={repeat}
            onChange={(event) => setRepeat(event.currentTarget.value)}
            required
          />
          <ErrorAlert error={error} />
          {done && (
            <Text c="teal" size="sm" role="status">
              Password changed.
            </Text>
          )}
          <Group>
            <Button type="submit" loading={busy}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function SessionsCard() {
  const [sessions, setSessions] = useState<ActiveSession[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    listSessions()
      .then((answer) => setSessions(answer.sessions))
      .catch(setError);
  }, []);
  useEffect(load, [load]);
  const end = async (id: string) => {
    setError(null);
    try {
      await endSession(id);
      load();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Active sessions
        </Title>
        <ErrorAlert error={error} />
        {sessions && (
          <Table.ScrollContainer minWidth={480}>
            <Table aria-label="Active sessions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Signed in</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.map((item) => (
                  <Table.Tr key={item.id}>
                    <Table.Td>
                      <Text size="sm">{item.user_agent || 'Unknown client'}</Text>
                      <Text size="xs" c="dimmed">
                        {item.address}
                        {item.current ? ' · this device' : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDate(item.created_at)}</Table.Td>
                    <Table.Td>{formatDate(item.last_used_at)}</Table.Td>
                    <Table.Td>
                      {!item.current && (
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => end(item.id)}>
                          Sign out
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
