/**
 * RFC 4918 section 8.7 (error handling) and 8.2 (XML in request bodies): the one error the
 * XML layer throws. `status` is what the HTTP layer answers with: 400 for malformed or
 * forbidden XML (DTDs, undeclared entities, bad namespaces, over depth/namespace/node
 * limits, bodies that are not the element a method expects), 413 for a body over the byte
 * limit, 415 for a character encoding we do not decode.
 */
export class DavXmlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DavXmlError';
  }
}

/** 400 Bad Request with a readable message. */
export function badXml(message: string): DavXmlError {
  return new DavXmlError(400, message);
}
