import { Button, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { changePassword } from '../api/user';
import { ErrorAlert } from '../ui/ErrorAlert';

/** The server's rule (MIN_PASSWORD_LENGTH), checked here first so a typo costs no round trip. */
const MIN_LENGTH = 8;

/**
 * Change password (contract 19, PATCH /user/setting): the current one, the new one twice.
 * The server signs every other session out and moves this one to new tokens.
 */
export function PasswordCard({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setError(null);
    if (next.length < MIN_LENGTH) {
      setError(new Error(`The new password needs at least ${MIN_LENGTH} characters.`));
      return;
    }
    if (next !== repeat) {
      setError(new Error('The two new passwords differ.'));
      return;
    }
    setBusy(true);
    try {
      await changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeat('');
      onChanged();
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
            description={`At least ${MIN_LENGTH} characters`}
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
              Password changed. Your other sessions have been signed out.
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
