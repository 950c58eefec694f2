// RFC 7233 sections 2.1, 3.1 and 3.2: the parser lives in core, shared with the REST API's downloads.
export { MAX_RANGES, evaluateIfRange, parseRange, type ByteRange, type RangeRequest } from '../../core/index.js';
