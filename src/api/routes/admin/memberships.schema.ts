import { z } from 'zod';

export const membershipGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  primary: z.boolean().describe("The user's primary group (rights, quota, storage); the others were joined"),
});

export const membershipsResponse = z.object({ groups: z.array(membershipGroupSchema) });

export const joinGroupBody = z.strictObject({
  group_id: z.string().min(1).describe('A group id, as /admin/group lists them'),
});
