import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { ConflictQuestion } from './uploader';

/** Asked once per upload (unless unticked): a file of that name exists; overwrite, keep both or skip. */
export function ConflictDialog({ question }: { question: ConflictQuestion | null }) {
  const [all, setAll] = useState(true);
  const where = question?.folder.length ? `/${question.folder.join('/')}` : 'My files';
  return (
    <Modal opened={question !== null} onClose={() => question?.answer('skip', false)} title="A file with this name exists" centered>
      {question && (
        <Stack>
          <Text size="sm">
            <Text span fw={600} className="file-name">
              {question.name}
            </Text>{' '}
            already exists in {where}.
          </Text>
          <Checkbox
            label="Do the same for every conflict in this upload"
            checked={all}
            onChange={(event) => setAll(event.currentTarget.checked)}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => question.answer('skip', all)}>
              Skip
            </Button>
            <Button variant="light" onClick={() => question.answer('rename', all)}>
              Keep both
            </Button>
            <Button color="red" onClick={() => question.answer('overwrite', all)}>
              Overwrite
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
