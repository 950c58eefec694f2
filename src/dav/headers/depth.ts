// RFC 4918 section 10.2: Depth = "Depth" ":" ("0" | "1" | "infinity").
import { DavHeaderError } from './errors.js';

export type Depth = '0' | '1' | 'infinity';

export interface DepthOptions {
  /** The values the method accepts, e.g. ['0', 'infinity'] for COPY. */
  readonly allowed: readonly Depth[];
  /** What an absent header means for the method (RFC 4918 9.1: infinity for PROPFIND). */
  readonly fallback: Depth;
}

/**
 * Parses a Depth header. An absent header yields the method's fallback; an unknown value or
 * one the method does not accept is 400. Refusing `infinity` on PROPFIND with 403
 * `propfind-finite-depth` is the caller's decision, made after this returns.
 */
export function parseDepth(value: string | undefined, options: DepthOptions): Depth {
  if (value === undefined) return options.fallback;
  const text = value.trim();
  const depth = text === '0' || text === '1' ? text : text.toLowerCase() === 'infinity' ? 'infinity' : undefined;
  if (depth === undefined) {
    throw new DavHeaderError(400, 'Depth must be 0, 1 or infinity');
  }
  if (!options.allowed.includes(depth)) {
    throw new DavHeaderError(400, `Depth ${depth} is not allowed for this request; use ${options.allowed.join(' or ')}`);
  }
  return depth;
}
