import { Button, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { signOut } from '../api/session';
import type { Capacity } from '../api/types';
import { capacity } from '../api/user';
import { useSession } from '../auth/useSession';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatBytes, percentOf } from '../ui/format';
import { PasswordCard } from './PasswordCard';
import { SessionsCard } from './SessionsCard';

/** Storage against the quota, password, active sessions, sign-out. */
export function SettingsPage() {
  const session = useSession();
  const navigate = useNavigate();
  // A password change signs the other sessions out: the list reloads.
  const [sessionsVersion, setSessionsVersion] = useState(0);
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
      <PasswordCard onChanged={() => setSessionsVersion((version) => version + 1)} />
      <SessionsCard version={sessionsVersion} />
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
  const percent = value ? percentOf(value.used, value.total) : 0;
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
              value={Math.min(100, percent)}
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
