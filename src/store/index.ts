export { SqliteStore, type StoreIo } from './sqlite-store.js';
export { InMemoryBody } from './in-memory-body.js';
export { StorageFault, storageFaultError, type StorageFaultKind } from './storage-fault.js';
export { prepareDataDir, removePartialWrites } from './data-dir-hygiene.js';
export { RESERVE_BYTES } from './space-reserve.js';
export type { FileSystem } from './file-system.js';
export type {
  BucketRecord,
  BucketStore,
  ByteRange,
  ChecksumType,
  ListEntry,
  ListedObject,
  ListPage,
  ListQuery,
  ObjectDescription,
  ObjectMetadata,
  ObjectPart,
  ObjectRecord,
  ObjectStore,
  PartDescription,
  PartRecord,
  Precondition,
  PutObjectInput,
  Store,
  StoreOptions,
  UploadCompletion,
  UploadPartInput,
  UploadRecord,
  UploadStore,
} from './types.js';
