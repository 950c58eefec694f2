import {
  ActionIcon,
  Button,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconDice5 } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { createShare } from '../api/shares';
import type { FileResponse } from '../api/types';
import { ErrorAlert } from '../ui/ErrorAlert';

const EXPIRY: Array<{ value: string; label: string }> = [
  { value: '0', label: 'Never' },
  { value: '3600', label: 'In 1 hour' },
  { value: '86400', label: 'In 1 day' },
  { value: '604800', label: 'In 7 days' },
  { value: '2592000', label: 'In 30 days' },
];

/** Share passwords are alphanumeric, at most 32 characters (contract 17). */
const PASSWORD = /^[0-9A-Za-z]{1,32}$/;

export function randomPassword(length = 8): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** A share link for a file or folder, with optional password, expiry and download limit. */
export function CreateShareDialog({ file, onClose }: { file: FileResponse | null; onClose(): void }) {
  const [protect, setProtect] = useState(false);
  const [password, setPassword] = useState('');
  const [expiry, setExpiry] = useState('0');
  const [limit, setLimit] = useState<number | string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [link, setLink] = useState<string | null>(null);

  useEffect(() => {
    setProtect(false);
    setPassword(randomPassword());
    setExpiry('0');
    setLimit('');
    setError(null);
    setLink(null);
    setBusy(false);
  }, [file]);

  if (!file) return <Modal opened={false} onClose={onClose} />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (protect && !PASSWORD.test(password)) {
      setError(new Error('A share password is 1 to 32 letters and digits.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const url = await createShare({
        uri: file.path,
        password: protect ? password : undefined,
        expireSeconds: Number(expiry) || undefined,
        downloads: typeof limit === 'number' && limit > 0 ? limit : undefined,
      });
      setLink(url);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={`Share ${file.type === 1 ? 'folder' : 'file'}`} centered>
      {link ? (
        <Stack>
          <Text size="sm">
            Anyone with this link can {file.type === 1 ? 'browse and download this folder' : 'download this file'}
            {protect ? ' after entering the password' : ''}.
          </Text>
          <ShareLink url={link} />
          {protect && (
            <Text size="sm">
              Password:{' '}
              <Text span ff="monospace">
                {password}
              </Text>
            </Text>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <Text size="sm" className="file-name" fw={600}>
              {file.name}
            </Text>
            <Switch label="Protect with a password" checked={protect} onChange={(event) => setProtect(event.currentTarget.checked)} />
            {protect && (
              <Group gap="xs" align="flex-end" wrap="nowrap">
                <PasswordInput
                  label="Password"
                  value={password}
                  onChange={(event) => setPassword(event.currentTarget.value)}
                  style={{ flex: 1 }}
                  visible
                />
                <Tooltip label="Generate another">
                  <ActionIcon
                    variant="default"
                    size="lg"
                    onClick={() => setPassword(randomPassword())}
                    aria-label="Generate another password"
                  >
                    <IconDice5 size={18} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            )}
            <Select label="Link expires" data={EXPIRY} value={expiry} onChange={(value) => setExpiry(value ?? '0')} allowDeselect={false} />
            <NumberInput
              label="Download limit"
              description="Leave empty for no limit"
              min={1}
              value={limit}
              onChange={setLimit}
              allowDecimal={false}
            />
            <ErrorAlert error={error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create link
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** A link with a copy button. */
export function ShareLink({ url }: { url: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput value={url} readOnly aria-label="Share link" style={{ flex: 1 }} onFocus={(event) => event.currentTarget.select()} />
      <CopyButton value={url}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy link'}>
            <ActionIcon variant="light" size="lg" color={copied ? 'teal' : undefined} onClick={copy} aria-label="Copy link">
              {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
