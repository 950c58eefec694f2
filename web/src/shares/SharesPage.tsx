import { ActionIcon, Badge, Button, CopyButton, Group, Modal, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconShareOff, IconTrash } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { deleteShare, listShares } from '../api/shares';
import type { Share } from '../api/types';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatDate } from '../ui/format';

/** My share links: copy, see use, revoke. */
export function SharesPage() {
  const [shares, setShares] = useState<Share[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<Share | null>(null);
  const [busy, setBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<unknown>(null);

  const load = useCallback(() => {
    setError(null);
    listShares()
      .then((page) => setShares(page.shares))
      .catch((failure: unknown) => {
        setShares([]);
        setError(failure);
      });
  }, []);
  useEffect(load, [load]);

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    setRevokeError(null);
    try {
      await deleteShare(revoking.id);
      setRevoking(null);
      load();
    } catch (failure) {
      setRevokeError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        Shares
      </Title>
      <Text c="dimmed" size="sm">
        Links you created for files and folders. Create one from a file’s menu in My files.
      </Text>
      <ErrorAlert error={error} />
      {shares === null ? null : shares.length === 0 && !error ? (
        <Stack align="center" py="xl" gap="xs">
          <IconShareOff size={40} aria-hidden color="var(--mantine-color-dimmed)" />
          <Text c="dimmed">You have not shared anything yet.</Text>
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="sm" aria-label="Share links">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Views</Table.Th>
                <Table.Th w={100}>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shares.map((share) => (
                <Table.Tr key={share.id}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm" className="file-name">
                        {share.name ?? share.id}
                      </Text>
                      {share.is_private && <Badge size="xs">Password</Badge>}
                      {share.expired && (
                        <Badge size="xs" color="gray">
                          Expired
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(share.created_at)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{share.expires ? formatDate(share.expires) : 'Never'}</Text>
                    {share.remain_downloads !== undefined && share.remain_downloads >= 0 && (
                      <Text size="xs" c="dimmed">
                        {share.remain_downloads} downloads left
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {share.visited ?? 0} views · {share.downloaded ?? 0} downloads
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <CopyButton value={share.url}>
                        {({ copied, copy }) => (
                          <Tooltip label={copied ? 'Copied' : 'Copy link'}>
                            <ActionIcon
                              variant="subtle"
                              onClick={copy}
                              aria-label={`Copy link to ${share.name ?? share.id}`}
                              color={copied ? 'teal' : undefined}
                            >
                              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                            </ActionIcon>
                          </Tooltip>
                        )}
                      </CopyButton>
                      <Tooltip label="Revoke">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          onClick={() => setRevoking(share)}
                          aria-label={`Revoke link to ${share.name ?? share.id}`}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke this link?" centered>
        <Stack>
          <Text size="sm">
            The link to{' '}
            <Text span fw={600} className="file-name">
              {revoking?.name ?? revoking?.id}
            </Text>{' '}
            stops working at once. The files stay where they are.
          </Text>
          <ErrorAlert error={revokeError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={revoke}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
