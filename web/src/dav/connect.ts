import { isLoopbackOrigin } from '../ui/plainHttp.js';

/**
 * What to type into each WebDAV client to reach this server, computed from the address the
 * page was opened at (the server's public URL as the user sees it). WebDAV lives at /dav/
 * (contract 18.3); the user name is the account's email, the password a WebDAV account's.
 */
export interface ConnectInfo {
  /** https://host[:port]/dav/ */
  readonly url: string;
  readonly secure: boolean;
  /** The page was opened on this machine (localhost, 127/8, ::1): nothing crosses a network. */
  readonly loopback: boolean;
  /** What Windows Explorer's "Map network drive" / address bar takes (UNC form). */
  readonly windowsUnc: string;
  readonly macos: string;
  readonly gnome: string;
  readonly kde: string;
  readonly davfs2: string;
  readonly rclone: string;
}

export function connectInfo(origin: string, email: string): ConnectInfo {
  const base = new URL(origin);
  const secure = base.protocol === 'https:';
  const loopback = isLoopbackOrigin(origin);
  const host = base.hostname.includes(':') ? `[${base.hostname}]` : base.hostname;
  const port = base.port;
  const url = `${base.protocol}//${base.host}/dav/`;
  // Windows' WebDAV redirector: \\host@SSL@port\dav\ over HTTPS, \\host@port\dav\ over HTTP.
  const windowsUnc = `\\\\${host}${secure ? '@SSL' : ''}${port ? `@${port}` : ''}\\dav\\`;
  const hostPort = `${base.host}`;
  return {
    url,
    secure,
    loopback,
    windowsUnc,
    macos: url,
    gnome: `${secure ? 'davs' : 'dav'}://${hostPort}/dav/`,
    kde: `${secure ? 'webdavs' : 'webdav'}://${hostPort}/dav/`,
    davfs2: `sudo mount -t davfs ${url} /mnt/cumulus`,
    rclone: [
      '[cumulus]',
      'type = webdav',
      `url = ${url}`,
      'vendor = other',
      `user = ${email}`,
      "# the WebDAV account password, obscured: rclone obscure 'PASSWORD'",
      'pass = OBSCURED_PASSWORD',
    ].join('\n'),
  };
}
