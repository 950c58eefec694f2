import { z } from 'zod';

/** Contract section 16, in bytes. */
export const capacityResponse = z.object({ total: z.number().int().nonnegative(), used: z.number().int().nonnegative() });
