// RFC 4918 section 10.6: Overwrite = "Overwrite" ":" ("T" | "F").
import { DavHeaderError } from './errors.js';

/**
 * Parses an Overwrite header. Absent means T (RFC 4918 10.6; Finder never sends it). Lower
 * case is accepted as well; anything else is 400.
 */
export function parseOverwrite(value: string | undefined): boolean {
  if (value === undefined) return true;
  switch (value.trim()) {
    case 'T':
    case 't':
      return true;
    case 'F':
    case 'f':
      return false;
    default:
      throw new DavHeaderError(400, 'Overwrite must be T or F');
  }
}
