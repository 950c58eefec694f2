// RFC 7231 section 7.1.1.1 (HTTP-date): the parser lives in core, shared with the REST API's downloads.
export { formatHttpDate, parseHttpDate, toSeconds } from '../../core/index.js';
