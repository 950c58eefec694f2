import { Anchor, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { NavigateFunction } from 'react-router';
import type { FileResponse } from '../api/types';
import { plural } from '../ui/format';

/** The Trash page's address (App.tsx). */
export const TRASH_PATH = '/trash';

/**
 * Says that a delete moved `files` to the trash, with a link to it. The notices live outside
 * the router (main.tsx), so the link navigates through the caller's `navigate`.
 */
export function announceTrashed(files: readonly FileResponse[], navigate: NavigateFunction): void {
  const id = `trashed-${Date.now()}`;
  notifications.show({
    id,
    color: 'blue',
    title: 'Moved to the trash',
    autoClose: 8000,
    closeButtonProps: { 'aria-label': 'Dismiss' },
    message: (
      // The default colours of a notice's text, and a link told apart by colour alone, are too faint (WCAG AA).
      <Text size="sm" c="var(--mantine-color-text)">
        {files.length === 1 ? (
          <Text span className="file-name">
            {files[0]!.name}
          </Text>
        ) : (
          plural(files.length, 'item')
        )}{' '}
        can be restored from the{' '}
        <Anchor
          href={TRASH_PATH}
          size="sm"
          underline="always"
          onClick={(event) => {
            event.preventDefault();
            notifications.hide(id);
            void navigate(TRASH_PATH);
          }}
        >
          Trash
        </Anchor>
        .
      </Text>
    ),
  });
}
