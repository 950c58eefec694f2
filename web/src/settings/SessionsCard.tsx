import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { endOtherSessions, endSession, listSessions, type ActiveSession } from '../api/user';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatDate } from '../ui/format';
import { clientName } from './clientName';

/**
 * The user's signed-in sessions (GET /user/sessions), this device's marked, with signing one
 * or all the others out. Rows rather than a table, so a phone shows them without scrolling
 * sideways. `version` changes when something else ended sessions (a password change).
 */
export function SessionsCard({ version }: { version: number }) {
  const [sessions, setSessions] = useState<ActiveSession[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = useCallback(() => {
    listSessions()
      .then((answer) => setSessions(answer.sessions))
      .catch(setError);
  }, []);
  useEffect(load, [load, version]);
  const run = async (key: string, action: () => Promise<void>) => {
    setError(null);
    setBusy(key);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
      load();
    }
  };
  const others = sessions?.filter((item) => !item.current).length ?? 0;
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h4">
            Active sessions
          </Title>
          {others > 0 && (
            <Button
              size="compact-sm"
              variant="light"
              color="red"
              leftSection={<IconLogout size={14} />}
              loading={busy === 'others'}
              onClick={() => run('others', endOtherSessions)}
            >
              Sign out all other sessions
            </Button>
          )}
        </Group>
        <ErrorAlert error={error} />
        {sessions && (
          <Stack gap={0} role="list" aria-label="Active sessions">
            {sessions.map((item) => (
              <SessionRow key={item.id} item={item} busy={busy === item.id} onEnd={() => run(item.id, () => endSession(item.id))} />
            ))}
          </Stack>
        )}
        {sessions && others === 0 && (
          <Text size="sm" c="dimmed">
            You are signed in on this device only.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function SessionRow({ item, busy, onEnd }: { item: ActiveSession; busy: boolean; onEnd: () => void }) {
  const name = clientName(item.user_agent);
  return (
    <Group
      role="listitem"
      aria-label={item.current ? `${name} (this device)` : name}
      justify="space-between"
      wrap="nowrap"
      gap="sm"
      py="xs"
      style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
    >
      <Stack gap={2} miw={0} style={{ flex: 1 }}>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" fw={500} truncate title={item.user_agent}>
            {name}
          </Text>
          {item.current && (
            <Badge size="sm" variant="outline" color="teal">
              This device
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {item.address ? `${item.address} · ` : ''}signed in {formatDate(item.created_at)}
        </Text>
        <Text size="xs" c="dimmed">
          Last active {formatDate(item.last_used_at)}
        </Text>
      </Stack>
      {!item.current && (
        <Button
          size="compact-sm"
          variant="subtle"
          color="red"
          loading={busy}
          onClick={onEnd}
          aria-label={`Sign out ${name}`}
          style={{ flexShrink: 0 }}
        >
          Sign out
        </Button>
      )}
    </Group>
  );
}
