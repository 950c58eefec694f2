import {
  Anchor,
  Breadcrumbs,
  Button,
  Center,
  Container,
  Group,
  Loader,
  Modal,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconDownload, IconEye, IconLock } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError, CODES } from '../api/client';
import { fileUrl, listFolder } from '../api/files';
import { shareInfo } from '../api/shares';
import type { FileResponse, ShareInfo } from '../api/types';
import { fromPathParam, segmentsOf, shareUri, toPathParam, type Segments } from '../api/uri';
import { Logo } from '../app/Logo';
import { downloadFile } from '../files/download';
import { ErrorAlert } from '../ui/ErrorAlert';
import { isImageName } from '../ui/FileIcon';
import { Thumbnail } from '../ui/Thumbnail';
import { formatBytes, formatDate } from '../ui/format';
import { PlainHttpWarning } from '../ui/PlainHttpWarning';

/**
 * The page a share link opens (/s/{id}[/{password}]): asks for the password when there is
 * one, lists folders, previews images, downloads through signed URLs. No account needed.
 */
export function PublicSharePage() {
  const { id = '', password: fromUrl } = useParams();
  const [password, setPassword] = useState(fromUrl ?? '');
  const [info, setInfo] = useState<ShareInfo | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    setLoading(true);
    shareInfo(id, fromUrl)
      .then(setInfo)
      .catch(setError)
      .finally(() => setLoading(false));
  }, [id, fromUrl]);

  const unlock = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const answer = await shareInfo(id, password);
      if (!answer.unlocked) throw new ApiError(CODES.shareWrongPassword, 'Incorrect share password');
      setInfo(answer);
    } catch (failure) {
      setError(failure);
    }
  };

  const gone = error instanceof ApiError && (error.rootCode === CODES.notFound || error.rootCode === CODES.notExist);
  return (
    <Container size="md" py="md">
      <Group component="header" justify="space-between" mb="lg">
        <Group gap={8}>
          <Logo />
          <Text fw={700} size="lg">
            Cumulus
          </Text>
        </Group>
        <Anchor component={Link} to="/login" size="sm">
          Sign in
        </Anchor>
      </Group>
      <main>
        {loading ? (
          <Center py="xl">
            <Loader />
          </Center>
        ) : gone || (!info && error) ? (
          <Stack align="center" py="xl">
            <Title order={1} size="h3">
              This link does not work
            </Title>
            <ErrorAlert error={error} />
          </Stack>
        ) : info && !info.unlocked ? (
          <Paper withBorder p="lg" maw={420} mx="auto">
            <form onSubmit={unlock}>
              <Stack>
                <Group gap="xs">
                  <IconLock size={20} aria-hidden />
                  <Title order={1} size="h4">
                    {info.name ? <span className="file-name">{info.name}</span> : 'A shared item'} is protected
                  </Title>
                </Group>
                <PlainHttpWarning>
                  This page came over plain HTTP: the password you type here crosses the network unencrypted, and anyone on the way can read
                  it. Open the link over HTTPS if the server offers it.
                </PlainHttpWarning>
                <PasswordInput
                  label="Password"
                  value={password}
                  onChange={(event) => setPassword(event.currentTarget.value)}
                  required
                  autoFocus
                />
                <ErrorAlert error={error} />
                <Button type="submit">Open</Button>
              </Stack>
            </form>
          </Paper>
        ) : info ? (
          <SharedContent id={id} password={info.unlocked ? password || fromUrl : undefined} info={info} />
        ) : null}
      </main>
    </Container>
  );
}

function SharedContent({ id, password, info }: { id: string; password?: string; info: ShareInfo }) {
  const [params, setParams] = useSearchParams();
  const path = fromPathParam(params.get('path'));
  const [files, setFiles] = useState<FileResponse[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [preview, setPreview] = useState<{ name: string; url: string } | null>(null);
  const key = path.join('/');

  useEffect(() => {
    setFiles(null);
    setError(null);
    listFolder(shareUri(id, password, path), { pageSize: 1000 })
      .then((page) => setFiles(page.files))
      .catch(setError);
    // `key` stands for `path`'s contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, password, key]);

  const go = (segments: Segments) => setParams(segments.length ? { path: toPathParam(segments) } : {});
  const show = async (file: FileResponse) => {
    setError(null);
    try {
      const { urls } = await fileUrl(file.path, false);
      if (urls[0]) setPreview({ name: file.name, url: urls[0].url });
    } catch (failure) {
      setError(failure);
    }
  };
  const download = (file: FileResponse) => downloadFile(file.path).catch(setError);

  return (
    <Stack>
      <div>
        <Title order={1} size="h3" className="file-name">
          {info.name ?? 'Shared files'}
        </Title>
        <Text size="sm" c="dimmed">
          Shared by {info.owner?.nickname || 'a Cumulus user'}
          {info.expires ? ` · link expires ${formatDate(info.expires)}` : ''}
        </Text>
      </div>
      {info.source_type !== 0 && (
        <nav aria-label="Folder path">
          <Breadcrumbs styles={{ root: { flexWrap: 'wrap' } }}>
            {[
              { label: info.name ?? 'Shared folder', to: [] as string[] },
              ...path.map((name, index) => ({ label: name, to: path.slice(0, index + 1) })),
            ].map((crumb, index) => (
              <Anchor key={index} component="button" type="button" size="sm" onClick={() => go(crumb.to)} className="file-name">
                {crumb.label}
              </Anchor>
            ))}
          </Breadcrumbs>
        </nav>
      )}
      <ErrorAlert error={error} />
      {files === null ? (
        !error && (
          <Center py="lg">
            <Loader />
          </Center>
        )
      ) : files.length === 0 ? (
        <Text c="dimmed">This folder is empty.</Text>
      ) : (
        <Table verticalSpacing="xs" aria-label="Shared files">
          <Table.Tbody>
            {files.map((file) => (
              <Table.Tr key={file.id}>
                <Table.Td>
                  <Group gap="sm" wrap="nowrap">
                    <Thumbnail item={file} small />
                    {file.type === 1 ? (
                      <Anchor component="button" type="button" size="sm" onClick={() => go(segmentsOf(file.path))} className="file-name">
                        {file.name}
                      </Anchor>
                    ) : (
                      <Text size="sm" className="file-name">
                        {file.name}
                      </Text>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Text size="sm" c="dimmed">
                    {file.type === 1 ? '' : formatBytes(file.size)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {file.type === 0 && (
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      {isImageName(file.name) && (
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          onClick={() => show(file)}
                          aria-label={`Preview ${file.name}`}
                          leftSection={<IconEye size={14} />}
                        >
                          Preview
                        </Button>
                      )}
                      <Button
                        size="compact-sm"
                        variant="light"
                        onClick={() => download(file)}
                        aria-label={`Download ${file.name}`}
                        leftSection={<IconDownload size={14} />}
                      >
                        Download
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={preview !== null} onClose={() => setPreview(null)} title={preview?.name} size="xl" centered>
        {preview && (
          <Center>
            <img className="share-preview" src={preview.url} alt={preview.name} />
          </Center>
        )}
      </Modal>
    </Stack>
  );
}
