import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How long the server keeps reading (and discarding) a request body it answered without
 * reading, after the answer: long enough for the client to finish sending and read the
 * answer, short enough that a refused upload of gigabytes is not read to its end.
 */
export const LINGER_MS = 10_000;

/** Whether a request announces a body (RFC 9112 6.3): a Content-Length above 0 or a Transfer-Encoding. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A request body that stops arriving for `idleMs` is answered 408 and its connection closed:
 * the handler reading it sees the stream fail, so nothing half-written is kept (the write
 * paths clean up on a failed body). The timer is the socket's idle timer, armed while the
 * body is incomplete; once the body has arrived the server may take as long as it needs.
 */
export function registerBodyTimeout(server: FastifyInstance, idleMs: number): void {
  // Without a listener Node destroys a timed-out socket itself, before a 408 could be sent,
  // and also when the body is complete and only the server is busy.
  server.server.on('timeout', () => undefined);
  server.addHook('onRequest', async (request, reply) => {
    const raw = request.raw;
    if (!hasBody(raw) || raw.complete) return;
    const socket = raw.socket;
    const disarm = () => {
      socket.setTimeout(0);
      socket.off('timeout', onIdle);
    };
    const onIdle = () => {
      disarm();
      if (raw.complete) return;
      request.log.info('request body stalled: answered 408 and closed');
      const response = reply.raw;
      if (response.headersSent) {
        socket.destroy();
        return;
      }
      reply.hijack();
      response.writeHead(408, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      response.end('408 Request Timeout: the request body stopped arriving\n', () => socket.destroy());
    };
    socket.setTimeout(idleMs);
    socket.on('timeout', onIdle);
    raw.once('end', disarm);
    reply.raw.once('close', disarm);
  });
}

/**
 * An answer sent before its request body was read (a refused chunk, a quota refusal, a wrong
 * length) must reach the client whole. Node would close such a connection at once, and a
 * client still sending its body then gets a reset instead of the answer. Here the answer says
 * `Connection: close`, the server half-closes after it and keeps reading and discarding the
 * rest of the body until it ends or LINGER_MS pass, and only then closes.
 */
export function registerLingeringClose(server: FastifyInstance, lingerMs = LINGER_MS): void {
  server.addHook('onSend', async (request, reply, payload) => {
    const raw = request.raw;
    if (raw.complete || !hasBody(raw)) return payload;
    reply.header('Connection', 'close');
    const socket = raw.socket as Socket & { destroySoon?: () => void };
    socket.destroySoon = () => lingerThenClose(socket, raw, lingerMs);
    return payload;
  });
}

function lingerThenClose(socket: Socket, request: IncomingMessage, lingerMs: number): void {
  // Half-close: the answer and a FIN go out; the body keeps coming in and Node discards it.
  socket.end();
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, lingerMs);
  timer.unref();
  if (request.complete) close();
  else request.once('end', close);
  socket.once('close', () => clearTimeout(timer));
}
