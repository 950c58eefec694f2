import { Checkbox, Select, Stack, Text } from '@mantine/core';
import type { AdminPolicy } from '../api/policies';

/** Orders `ids` so that `first` leads (when it is among them): the API takes the default first. */
export function withDefaultFirst(ids: readonly string[], first: string | undefined): string[] {
  return first !== undefined && ids.includes(first) ? [first, ...ids.filter((id) => id !== first)] : [...ids];
}

/**
 * The storage policies a group's members may use (checkboxes) and their default (a select over
 * the checked ones). `value` is the admin API's `storage_policies`: ids, the default first.
 */
export function GroupPoliciesInput({
  policies,
  value,
  onChange,
}: {
  policies: readonly AdminPolicy[] | null;
  value: readonly string[];
  onChange(ids: string[]): void;
}) {
  if (!policies) return null;
  const chosen = policies.filter((policy) => value.includes(policy.id));
  return (
    <Stack gap="xs">
      <Checkbox.Group
        label="Storage policies"
        description="Members may bind their folders to these"
        value={[...value]}
        onChange={(ids) => onChange(withDefaultFirst(ids, value[0]))}
      >
        <Stack gap={6} mt={6}>
          {policies.map((policy) => (
            <Checkbox key={policy.id} value={policy.id} label={`${policy.name} (${policy.type})`} />
          ))}
        </Stack>
      </Checkbox.Group>
      {chosen.length === 0 ? (
        <Text size="sm" c="dimmed">
          None chosen: a new group gets the User group's policies; an existing group needs at least one.
        </Text>
      ) : (
        <Select
          label="Default storage policy"
          description="Where new files go outside bound folders"
          data={chosen.map((policy) => ({ value: policy.id, label: policy.name }))}
          value={value[0] ?? null}
          onChange={(id) => id !== null && onChange(withDefaultFirst(value, id))}
          allowDeselect={false}
        />
      )}
    </Stack>
  );
}
