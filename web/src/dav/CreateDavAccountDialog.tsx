import { Alert, Button, Group, Modal, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { createDavAccount } from '../api/dav';
import type { DavAccount } from '../api/types';
import { myUri, type Segments } from '../api/uri';
import { FolderPicker } from '../files/FolderPicker';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Copyable } from './ConnectPanel';

const EXPIRY = [
  { value: '0', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
];

/** A new WebDAV account (contract 18.1): name, root folder, read-only, expiry; the password is shown once. */
export function CreateDavAccountDialog({ opened, onClose, onCreated }: { opened: boolean; onClose(): void; onCreated(): void }) {
  const [name, setName] = useState('');
  const [root, setRoot] = useState<Segments>([]);
  const [readonly, setReadonly] = useState(false);
  const [redirect, setRedirect] = useState(false);
  const [expiry, setExpiry] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<DavAccount | null>(null);

  useEffect(() => {
    if (!opened) return;
    setName('');
    setRoot([]);
    setReadonly(false);
    setRedirect(false);
    setExpiry('0');
    setError(null);
    setCreated(null);
  }, [opened]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const days = Number(expiry);
      const account = await createDavAccount({
        name: name.trim(),
        uri: myUri(root),
        readonly,
        redirectDownloads: redirect,
        expiresAt: days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined,
      });
      setCreated(account);
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={created ? 'WebDAV account created' : 'New WebDAV account'}
      centered
      size="lg"
      closeOnClickOutside={!created}
    >
      {created ? (
        <Stack>
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
            Copy the password now: it is shown only this once.
          </Alert>
          <Copyable label="WebDAV password" value={created.password ?? ''} />
          <Text size="sm">
            Use it with your email as the user name in the client named <b className="file-name">{created.name}</b>.
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label="Name"
              description="Which device or app uses it, e.g. “Laptop” or “Phone backup”"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              required
              maxLength={255}
            />
            <div>
              <Text size="sm" fw={500}>
                Root folder
              </Text>
              <Text size="xs" c="dimmed" mb={4}>
                The client sees only this folder and what is inside it.
              </Text>
              <FolderPicker value={root} onChange={setRoot} />
            </div>
            <Switch
              label="Read-only"
              description="The client can list and download, not change anything"
              checked={readonly}
              onChange={(event) => setReadonly(event.currentTarget.checked)}
            />
            <Switch
              label="Redirect downloads"
              description="Files on storage that allows it download straight from there; only for clients that follow redirects (rclone, browsers — not Windows Explorer or Finder)"
              checked={redirect}
              onChange={(event) => setRedirect(event.currentTarget.checked)}
            />
            <Select label="Expires" data={EXPIRY} value={expiry} onChange={(value) => setExpiry(value ?? '0')} allowDeselect={false} />
            <ErrorAlert error={error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create account
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
