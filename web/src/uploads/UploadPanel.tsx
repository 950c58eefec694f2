import { ActionIcon, Button, Collapse, Group, Paper, Progress, ScrollArea, Stack, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconChevronUp, IconPlayerPause, IconPlayerPlay, IconRefresh, IconX } from '@tabler/icons-react';
import { FileIcon } from '../ui/FileIcon';
import { formatBytes } from '../ui/format';
import { ConflictDialog } from './ConflictDialog';
import type { UploadTask } from './uploader';
import { useUploads } from './UploadProvider';

const ACTIVE = ['queued', 'preparing', 'uploading'];

/** Every upload of this page: total and per-file progress, speed, pause, resume, cancel, retry. */
export function UploadPanel() {
  const { uploader, snapshot } = useUploads();
  const [collapsed, { toggle }] = useDisclosure(false);
  const tasks = snapshot.tasks;
  if (tasks.length === 0) return <ConflictDialog question={snapshot.question} />;

  const counted = tasks.filter((task) => task.status !== 'cancelled' && task.status !== 'skipped');
  const total = counted.reduce((sum, task) => sum + task.total, 0);
  const loaded = counted.reduce((sum, task) => sum + task.loaded, 0);
  const percent = total > 0 ? Math.round((loaded / total) * 100) : counted.every((task) => task.status === 'done') ? 100 : 0;
  const active = tasks.filter((task) => ACTIVE.includes(task.status)).length;
  const failed = tasks.filter((task) => task.status === 'error').length;
  const paused = tasks.filter((task) => task.status === 'paused').length;
  const speed = tasks.reduce((sum, task) => sum + (task.status === 'uploading' ? task.speed : 0), 0);
  const done = tasks.filter((task) => task.status === 'done').length;
  const title =
    active > 0
      ? `Uploading ${done} of ${counted.length}`
      : failed > 0
        ? `${failed} upload${failed === 1 ? '' : 's'} failed`
        : paused > 0
          ? `${paused} upload${paused === 1 ? '' : 's'} paused`
          : 'Uploads finished';

  return (
    <>
      <ConflictDialog question={snapshot.question} />
      <Paper className="upload-panel" shadow="lg" withBorder p="sm" role="region" aria-label="Uploads">
        <Stack gap="xs">
          <Group justify="space-between" wrap="nowrap">
            <div>
              <Text fw={600} size="sm">
                {title}
              </Text>
              <Text size="xs" c="dimmed" aria-live="polite">
                {percent}% · {formatBytes(loaded)} of {formatBytes(total)}
                {speed > 0 && ` · ${formatBytes(speed)}/s`}
              </Text>
            </div>
            <Group gap={4} wrap="nowrap">
              {active === 0 && (
                <Button size="compact-xs" variant="subtle" onClick={() => uploader.clearFinished()}>
                  Clear
                </Button>
              )}
              <ActionIcon
                variant="subtle"
                onClick={toggle}
                aria-label={collapsed ? 'Show uploads' : 'Hide uploads'}
                aria-expanded={!collapsed}
              >
                {collapsed ? <IconChevronUp size={18} /> : <IconChevronDown size={18} />}
              </ActionIcon>
            </Group>
          </Group>
          <Progress value={percent} size="sm" aria-label="Total upload progress" color={failed > 0 ? 'red' : undefined} />
          <Collapse in={!collapsed}>
            <ScrollArea.Autosize mah={260} type="auto">
              <Stack gap="xs" role="list">
                {tasks.map((task) => (
                  <UploadRow key={task.id} task={task} />
                ))}
              </Stack>
            </ScrollArea.Autosize>
          </Collapse>
        </Stack>
      </Paper>
    </>
  );
}

const STATUS_TEXT: Record<UploadTask['status'], string> = {
  queued: 'Waiting',
  preparing: 'Starting',
  uploading: 'Uploading',
  paused: 'Paused',
  done: 'Done',
  error: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped: a file with this name exists',
};

function UploadRow({ task }: { task: UploadTask }) {
  const { uploader } = useUploads();
  const percent = task.total > 0 ? Math.round((task.loaded / task.total) * 100) : task.status === 'done' ? 100 : 0;
  const where = task.folder.length ? `/${task.folder.join('/')}/` : '/';
  return (
    <Stack gap={2} role="listitem" aria-label={`${task.name}: ${STATUS_TEXT[task.status]}, ${percent}%`}>
      <Group gap="xs" wrap="nowrap" justify="space-between">
        <Group gap={6} wrap="nowrap" miw={0}>
          <FileIcon name={task.name} folder={false} size={18} />
          <Text size="sm" truncate title={`${where}${task.name}`}>
            {task.name}
          </Text>
        </Group>
        <Group gap={2} wrap="nowrap">
          {ACTIVE.includes(task.status) && (
            <Tooltip label="Pause">
              <ActionIcon size="sm" variant="subtle" onClick={() => uploader.pause(task.id)} aria-label={`Pause ${task.name}`}>
                <IconPlayerPause size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          {task.status === 'paused' && (
            <Tooltip label="Resume">
              <ActionIcon size="sm" variant="subtle" onClick={() => uploader.resume(task.id)} aria-label={`Resume ${task.name}`}>
                <IconPlayerPlay size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          {task.status === 'error' && (
            <Tooltip label="Retry">
              <ActionIcon
                size="sm"
                variant="subtle"
                color="orange"
                onClick={() => uploader.resume(task.id)}
                aria-label={`Retry ${task.name}`}
              >
                <IconRefresh size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          {!['done', 'cancelled', 'skipped'].includes(task.status) && (
            <Tooltip label="Cancel">
              <ActionIcon
                size="sm"
                variant="subtle"
                color="gray"
                onClick={() => uploader.cancel(task.id)}
                aria-label={`Cancel ${task.name}`}
              >
                <IconX size={16} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Group>
      <Progress
        value={percent}
        size="xs"
        color={task.status === 'error' ? 'red' : task.status === 'done' ? 'teal' : task.status === 'paused' ? 'gray' : undefined}
        aria-hidden
      />
      <Text size="xs" c={task.status === 'error' ? 'red' : 'dimmed'}>
        {task.error ?? STATUS_TEXT[task.status]}
        {task.status === 'uploading' && ` · ${percent}% · ${formatBytes(task.loaded)} of ${formatBytes(task.total)}`}
        {task.status === 'uploading' && task.speed > 0 && ` · ${formatBytes(task.speed)}/s`}
        {task.status === 'error' && task.nextChunk > 0 && Number.isFinite(task.nextChunk) && ` Retry continues from ${percent}%.`}
      </Text>
    </Stack>
  );
}
