import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert';

/** A question that must be answered before something is destroyed for good. */
export interface Confirmation {
  readonly title: string;
  readonly body: ReactNode;
  readonly confirmLabel: string;
  run(): Promise<unknown>;
}

/** Asks `request`'s question; the red button runs it (the caller's `act` reports failures in `error`). */
export function ConfirmDialog(props: { request: Confirmation | null; busy: boolean; error: unknown; onClose(): void; onConfirm(): void }) {
  const { request } = props;
  return (
    <Modal opened={request !== null} onClose={props.onClose} title={request?.title} centered>
      <Stack>
        <Text size="sm">{request?.body}</Text>
        <ErrorAlert error={props.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button color="red" loading={props.busy} onClick={props.onConfirm} data-autofocus>
            {request?.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
