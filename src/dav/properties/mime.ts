// Content types by extension: the table lives in core, shared with the REST API's downloads.
export { contentTypeOf } from '../../core/index.js';
