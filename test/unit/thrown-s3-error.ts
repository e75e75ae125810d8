import { S3Error } from '../../src/s3/s3-error.js';

/** The parts of an S3Error that S3 puts in its error document. */
export interface ThrownS3Error {
  code: string;
  status: number;
  message: string;
  fields: Record<string, unknown>;
}

export function describeS3Error(err: S3Error): ThrownS3Error {
  return { code: err.code, status: err.status, message: err.message, fields: err.fields };
}

/** The S3Error a call throws synchronously; fails when it throws nothing or something else. */
export function thrownS3Error(call: () => unknown): ThrownS3Error {
  try {
    call();
  } catch (err) {
    if (err instanceof S3Error) return describeS3Error(err);
    throw err;
  }
  throw new Error('expected an S3Error');
}
