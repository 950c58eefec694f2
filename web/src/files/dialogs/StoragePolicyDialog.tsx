import { Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { bindFolder, folderPolicy, type FolderPolicy } from '../../api/policies';
import type { FileResponse } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';

const INHERIT = '';

/**
 * Where new files in a folder go (issue 11): one of the policies the user's group allows, or
 * what the parent folder says. Existing files stay where they are until an administrator moves them.
 */
export function StoragePolicyDialog({ folder, onClose }: { folder: FileResponse | null; onClose(): void }) {
  const [current, setCurrent] = useState<FolderPolicy | null>(null);
  const [choice, setChoice] = useState(INHERIT);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setCurrent(null);
    setError(null);
    if (!folder) return;
    folderPolicy(folder.path)
      .then((answer) => {
        setCurrent(answer);
        setChoice(answer.bound ? answer.policy.id : INHERIT);
      })
      .catch(setError);
  }, [folder]);
  if (!folder) return <Modal opened={false} onClose={onClose} />;

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await bindFolder(folder.path, choice === INHERIT ? null : choice);
      onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={`Storage policy of “${folder.name}”`} centered>
      <Stack>
        {current && (
          <Radio.Group value={choice} onChange={setChoice} label="New files in this folder and its subfolders go to">
            <Stack gap="xs" mt="xs">
              <Radio value={INHERIT} label="The same place as the parent folder" />
              {current.options.map((option) => (
                <Radio key={option.id} value={option.id} label={`${option.name} (${option.type})`} />
              ))}
            </Stack>
          </Radio.Group>
        )}
        <Text size="sm" c="dimmed">
          Files already in the folder stay where they are.
        </Text>
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={busy} onClick={() => void save()} disabled={!current}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
