/**
 * A mixed load: `clients` concurrent clients each run the same seeded sequence of operations on
 * every server, a realistic mix of reads and writes: GET and PROPFIND Depth 1 of their own
 * folder and of a shared one, PUT (new files and overwrites, small and up to 1 MiB), MOVE
 * (rename) and DELETE. Each client writes only in its own folder, so every operation must
 * succeed; any other answer (or a dropped connection) counts as an error and the run goes on.
 */
import { performance } from 'node:perf_hooks';
import { KiB, MiB } from '../lib.js';
import { NAMED_PROPS, call, content, destination, inParallel, mkcol, propfind, putSmall, seededRandom, type DavServer } from './client.js';

export interface MixedShape {
  readonly clients: number;
  /** Operations per client. */
  readonly operations: number;
  /** Files each client's folder starts with. */
  readonly seedFiles: number;
  /** The shared folder (already there) and its files' names and size. */
  readonly shared: { readonly folder: string; readonly files: number; readonly size: number };
}

export interface MixedResult {
  readonly ms: number;
  readonly errors: number;
  /** The first few errors, for the report. */
  readonly messages: readonly string[];
}

const sharedName = (i: number) => `f-${String(i).padStart(5, '0')}.txt`;

function pickSize(random: () => number): number {
  return random() < 0.75 ? KiB + Math.floor(random() * 15 * KiB) : 64 * KiB + Math.floor(random() * (MiB - 64 * KiB));
}

export async function mixedLoad(server: DavServer, round: number, shape: MixedShape): Promise<MixedResult> {
  const root = `mix-${round}`;
  await mkcol(server, `${root}/`);
  const owned: Map<string, number>[] = [];
  let nextName = 0;
  for (let c = 0; c < shape.clients; c++) {
    await mkcol(server, `${root}/c-${c}/`);
    const files = new Map<string, number>();
    const random = seededRandom(1000 + c);
    for (let i = 0; i < shape.seedFiles; i++) {
      const name = `m-${nextName++}.bin`;
      const size = pickSize(random);
      await putSmall(server, `${root}/c-${c}/${name}`, content(nextName, size));
      files.set(name, size);
    }
    owned.push(files);
  }

  let errors = 0;
  const messages: string[] = [];
  const fail = (what: string, detail: string) => {
    errors++;
    if (messages.length < 5) messages.push(`${what}: ${detail}`);
  };
  const started = performance.now();
  await inParallel(shape.clients, shape.clients, async (c) => {
    const random = seededRandom(7000 + c);
    const files = owned[c]!;
    const folder = `${root}/c-${c}`;
    const anyFile = () => [...files.keys()][Math.floor(random() * files.size)]!;
    for (let op = 0; op < shape.operations; op++) {
      const pick = random();
      try {
        if (pick < 0.25 || (pick >= 0.92 && files.size <= 3)) {
          const name = anyFile();
          const reply = await call(server, 'GET', `${folder}/${name}`);
          if (reply.status !== 200 || reply.bytes !== files.get(name)) fail('GET', `${reply.status}, ${reply.bytes} bytes`);
        } else if (pick < 0.35) {
          const reply = await call(server, 'GET', `${shape.shared.folder}/${sharedName(Math.floor(random() * shape.shared.files))}`);
          if (reply.status !== 200 || reply.bytes !== shape.shared.size) fail('GET shared', `${reply.status}, ${reply.bytes} bytes`);
        } else if (pick < 0.55) {
          const listing = await propfind(server, `${folder}/`, '1', NAMED_PROPS);
          if (listing.responses !== files.size + 1) fail('PROPFIND', `${listing.responses - 1} members, expected ${files.size}`);
        } else if (pick < 0.65) {
          const listing = await propfind(server, `${shape.shared.folder}/`, '1', NAMED_PROPS);
          if (listing.responses !== shape.shared.files + 1) fail('PROPFIND shared', `${listing.responses - 1} members`);
        } else if (pick < 0.8) {
          const fresh = files.size < 30 && random() < 0.6;
          const name = fresh ? `m-${c}-${op}.bin` : anyFile();
          const size = pickSize(random);
          const reply = await call(server, 'PUT', `${folder}/${name}`, { body: content(op, size) });
          if ([200, 201, 204].includes(reply.status)) files.set(name, size);
          else fail('PUT', `${reply.status} ${reply.text.slice(0, 200)}`);
        } else if (pick < 0.92) {
          const name = anyFile();
          const to = `r-${c}-${op}.bin`;
          const reply = await call(server, 'MOVE', `${folder}/${name}`, {
            headers: { Destination: destination(server, `${folder}/${to}`), Overwrite: 'F' },
          });
          if ([201, 204].includes(reply.status)) {
            files.set(to, files.get(name)!);
            files.delete(name);
          } else fail('MOVE', `${reply.status} ${reply.text.slice(0, 200)}`);
        } else {
          const name = anyFile();
          const reply = await call(server, 'DELETE', `${folder}/${name}`);
          if ([200, 204].includes(reply.status)) files.delete(name);
          else fail('DELETE', `${reply.status} ${reply.text.slice(0, 200)}`);
        }
      } catch (error) {
        fail('request', (error as Error).message);
      }
    }
  });
  const ms = performance.now() - started;
  const cleanup = await call(server, 'DELETE', `${root}/`);
  if (cleanup.status !== 204) fail('DELETE mix folder', String(cleanup.status));
  return { ms, errors, messages };
}
