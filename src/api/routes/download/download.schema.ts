import { z } from 'zod';

const uri = z.string().min(1).describe('A cloudreve:// URI');

/** Contract 9.1. `use_primary_site_url` and `no_cache` are accepted and change nothing: links are never cached. */
export const urlBody = z.object({
  uris: z.array(uri).min(1),
  download: z.boolean().optional().describe('Content-Disposition: attachment'),
  redirect: z.boolean().optional().describe('With one URI: answer HTTP 302 to the link instead of JSON'),
  entity: z.string().optional().describe('The content version wanted; only the current one exists'),
  use_primary_site_url: z.boolean().optional(),
  skip_error: z.boolean().optional().describe('Leave out the URIs that fail instead of failing with 40081'),
  no_cache: z.boolean().optional(),
  archive: z.boolean().optional().describe('One ZIP of every URI: not available yet (403)'),
});

export const urlResponse = z.object({
  urls: z.array(z.object({ url: z.string(), stream_saver_display_name: z.string().optional() })),
  expires: z.string().describe('RFC 3339; when the links stop working'),
});

/** Contract section 10. */
export const thumbQuery = z.object({ uri });

export const thumbResponse = z.object({ url: z.string(), expires: z.string().nullable() });
