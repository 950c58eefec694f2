/**
 * The one error the header and path parsers throw: a request header or URL the client got
 * wrong, with the HTTP status that tells it so and a message a person can act on.
 */
export class DavHeaderError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DavHeaderError';
  }
}
