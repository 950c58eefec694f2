import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { splitExtension } from '../../ui/format';

export interface NameDialogProps {
  readonly opened: boolean;
  readonly title: string;
  readonly label: string;
  readonly initial?: string;
  readonly confirmLabel: string;
  /** Select the name without its extension when the dialog opens (renaming a file). */
  readonly selectStem?: boolean;
  onSubmit(name: string): Promise<void>;
  onClose(): void;
}

/** New folder and rename: one name, checked by the server; its refusal is shown here, in place. */
export function NameDialog({ opened, title, label, initial = '', confirmLabel, selectStem, onSubmit, onClose }: NameDialogProps) {
  const [name, setName] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!opened) return;
    setName(initial);
    setError(null);
    setBusy(false);
    const timer = setTimeout(() => {
      const element = input.current;
      if (!element) return;
      element.focus();
      const end = selectStem ? splitExtension(initial)[0].length : initial.length;
      element.setSelectionRange(0, end);
    }, 50);
    return () => clearTimeout(timer);
  }, [opened, initial, selectStem]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setError(new Error('Enter a name.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(name);
      onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            ref={input}
            label={label}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            data-autofocus
            required
          />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
