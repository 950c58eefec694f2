import { describe, expect, it } from 'vitest';
import { UnavailableError, UpstreamError } from '../../src/core/index.js';
import { failureOf } from '../../src/dav/status.js';

describe('dav status table', () => {
  it('answers 502 for a failing store and 503 with Retry-After for an unreachable one', () => {
    expect(failureOf(new UpstreamError('The WebDAV server dav.example/ failed while storing x (HTTP 500)'))).toEqual({
      status: 502,
      message: 'The WebDAV server dav.example/ failed while storing x (HTTP 500)',
    });
    expect(failureOf(new UnavailableError('The S3 bucket "b" at s3.example cannot be reached'))).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '5' },
    });
  });
});
