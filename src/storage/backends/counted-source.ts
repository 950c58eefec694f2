import { Transform, type Readable } from 'node:stream';

/**
 * A caller's source as a remote store's request body, counting the bytes that pass and
 * keeping the source's own failure apart from the consequences of the request failing: when
 * the store fails and the HTTP client destroys the body, the source is released quietly, so
 * `sourceError` is only ever the source's (a client that hung up, a broken generator).
 */
export class CountedSource {
  readonly body: Transform;
  bytes = 0;
  sourceError: unknown;

  constructor(private readonly source: Readable) {
    const counter = (this.body = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytes += chunk.length;
        done(null, chunk);
      },
    }));
    source.once('error', (error) => {
      this.sourceError ??= error;
      counter.destroy(error);
    });
    source.pipe(counter);
  }

  /** After a failure: stops reading the source and drops both streams. */
  release(): void {
    this.source.unpipe(this.body);
    this.body.destroy();
    this.source.destroy();
  }
}
