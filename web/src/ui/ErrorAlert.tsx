import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { ApiError, CODES, messageOf } from '../api/client';

/** The server has no such endpoint (an older or partial server): not the user's fault. */
export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && error.code === CODES.notFound && error.message.startsWith('There is no API endpoint');
}

/** A failure shown where it happened, with the server's own message (always as text). */
export function ErrorAlert({ error, title, onClose }: { error: unknown; title?: string; onClose?: () => void }) {
  if (!error) return null;
  const missing = isMissingEndpoint(error);
  return (
    <Alert
      color={missing ? 'gray' : 'red'}
      variant="light"
      icon={<IconAlertCircle size={18} />}
      title={missing ? 'Not available on this server yet' : title}
      role="alert"
      withCloseButton={Boolean(onClose)}
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      {messageOf(error)}
    </Alert>
  );
}
