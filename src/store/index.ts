export { Store, type Precondition, type StoreIo } from './store.js';
export { StorageFault, storageFaultError, type StorageFaultKind } from './storage-fault.js';
export { prepareDataDir, removePartialWrites } from './data-dir-hygiene.js';
export { RESERVE_BYTES } from './space-reserve.js';
export type { FileSystem } from './file-system.js';
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
