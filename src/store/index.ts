export { Store, type Precondition } from './store.js';
export type { BucketRecord, ByteRange, ListEntry, ListPage, ListQuery, ObjectMetadata, ObjectRecord, StagedBlob, StoreOptions } from './types.js';
