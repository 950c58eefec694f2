import type { z } from 'zod';
import { ApiError, CODES } from './errors.js';

/** Parses request input with a zod schema; any problem is 40001 with every issue named. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  if (where === 'body' && (input === undefined || input === null)) throw new ApiError(CODES.parameter, 'The request needs a JSON body');
  throw new ApiError(CODES.parameter, result.error.issues.map(describeIssue).join('; '));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || 'the body';
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined) return `${field} cannot be empty`;
  return `${field}: ${issue.message}`;
}
