import { fileUrl } from '../api/files';

/** Downloads one file (or one version of it) through a signed URL (contract 9.1): the browser fetches it, no token needed. */
export async function downloadFile(uri: string, entity?: string): Promise<void> {
  const { urls } = await fileUrl(uri, true, entity);
  const url = urls[0]?.url;
  if (!url) throw new Error('The server sent no download link for this file.');
  const link = document.createElement('a');
  link.href = url;
  link.rel = 'noopener noreferrer';
  document.body.append(link);
  link.click();
  link.remove();
}
