import { Paper, Stack, Switch, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { getSettings, setSettings, type ServerSwitches } from '../api/admin';
import { ErrorAlert } from '../ui/ErrorAlert';

const SWITCHES: Array<{ key: keyof ServerSwitches; label: string; description: string }> = [
  { key: 'webdav_enabled', label: 'WebDAV', description: 'Clients may connect at /dav/ with WebDAV accounts.' },
  { key: 'read_only', label: 'Read-only mode', description: 'Every change through any protocol is refused; reading still works.' },
  { key: 'register_enabled', label: 'Open registration', description: 'Anyone may create an account from the sign-in page.' },
];

/** Server switches, applied at once on every node. */
export function ServerSettingsPanel() {
  const [values, setValues] = useState<ServerSwitches | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState<string | null>(null);
  useEffect(() => {
    getSettings().then(setValues).catch(setError);
  }, []);
  const flip = async (key: keyof ServerSwitches, on: boolean) => {
    setSaving(key);
    setError(null);
    try {
      setValues(await setSettings({ [key]: on }));
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(null);
    }
  };
  return (
    <Paper withBorder p="md" maw={640}>
      <Stack>
        <ErrorAlert error={error} />
        {SWITCHES.map((item) => (
          <Switch
            key={item.key}
            label={item.label}
            description={item.description}
            checked={values?.[item.key] ?? false}
            disabled={!values || saving === item.key}
            onChange={(event) => flip(item.key, event.currentTarget.checked)}
          />
        ))}
        {!values && !error && (
          <Text size="sm" c="dimmed">
            Loading…
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
