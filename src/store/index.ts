export { Store, type Precondition } from './store.js';
export type {
  BucketRecord,
  ByteRange,
  ChecksumType,
  ListEntry,
  ListPage,
  ListQuery,
  ObjectMetadata,
  ObjectPart,
  ObjectRecord,
  PartRecord,
  StagedBlob,
  StoreOptions,
  UploadCompletion,
  UploadRecord,
} from './types.js';
