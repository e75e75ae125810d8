export { startEmulator } from './emulator.js';
export type { BucketDefinition, Emulator, EmulatorOptions } from './emulator.js';
export type { BucketCredentials, BucketEnv } from './bucket-credentials.cjs';
export { OPERATIONS, SMLL_GRANTED_ACTIONS } from './operations/table.js';
export type { OperationSpec } from './operations/types.js';
export { parseCorsRules } from './http/cors.js';
export type { CorsRule } from './http/cors.js';
export type { SigV2Policy } from './auth/types.js';
export type { LogFormat } from './http/request-log.js';
