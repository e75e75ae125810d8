/**
 * Reading a PostObject form (multipart/form-data) up to its file: S3 takes the fields that come
 * before the file (credential, signature, policy, key, metadata …) and ignores any after it. The
 * fields are small and read whole; the file is handed on as a stream, still unread, so the
 * operation streams it to the blob store once the fields have authenticated the request.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type busboy from 'busboy';
import { S3Error } from '../s3/s3-error.js';
import type { ContentLengthRange } from './post-policy.js';

/** S3's limit on the fields preceding the file, names and values together. */
export const MAX_POST_FIELDS_BYTES = 20 * 1024;

export interface PostForm {
  /** Fields before the file, lower-case names (S3 reads form field names without case). */
  fields: ReadonlyMap<string, string>;
  /** The file's bytes, unread until the operation reads them. */
  file: Readable;
  /** The file part's filename, for `${filename}` in the key. */
  filename?: string;
  /** Settles once the whole form is read: rejects with MalformedPOSTRequest if its end is not well-formed. */
  finished: Promise<void>;
  /** The policy's content-length-range, set once the policy is verified: only the file can satisfy it. */
  contentLengthRange?: ContentLengthRange;
}

// busboy (CommonJS) is loaded by the first form, not at start: most runs never see a PostObject.
const require = createRequire(import.meta.url);
let busboyModule: typeof busboy | undefined;

const NOT_A_FORM = new S3Error('PreconditionFailed', undefined, {
  Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
});

/** Reads the form until its file part begins; resolves with the fields and the file stream. */
export function readPostForm(req: IncomingMessage, headers: IncomingHttpHeaders): Promise<PostForm> {
  const contentType = headers['content-type'];
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return Promise.reject(NOT_A_FORM);
  let parser: busboy.Busboy;
  try {
    busboyModule ??= require('busboy') as typeof busboy;
    parser = busboyModule({
      headers,
      defParamCharset: 'utf8',
      limits: { fieldNameSize: 1024, fieldSize: MAX_POST_FIELDS_BYTES, files: 1 },
    });
  } catch {
    // No boundary, or a content type busboy cannot read.
    return Promise.reject(new S3Error('MalformedPOSTRequest'));
  }

  return new Promise<PostForm>((resolve, reject) => {
    const fields = new Map<string, string>();
    let fieldBytes = 0;
    let fileSeen = false;
    let settleFinished: { resolve: () => void; reject: (err: S3Error) => void } | undefined;
    const finished = new Promise<void>((res, rej) => (settleFinished = { resolve: res, reject: rej }));
    // A form refused before its end is read has no one waiting on `finished`.
    finished.catch(() => {});

    const startFile = (file: Readable, filename: string | undefined) => {
      fileSeen = true;
      // A form refused before its file is read (bad signature, policy …) leaves the file stream
      // without a reader; a cut-off form then errors it: `finished` reports that, not a crash.
      file.on('error', () => {});
      resolve({ fields, file, filename, finished });
    };

    // busboy reports a part whose Content-Disposition has no readable name (RFC 7578 §4.2 requires
    // one) with an undefined name: such a form is not well-formed.
    parser.on('field', (name: string | undefined, value, info) => {
      if (fileSeen) return;
      if (name === undefined) return fail(new S3Error('MalformedPOSTRequest'));
      const lower = name.toLowerCase();
      // A file sent as a plain text field (`-F file=content`): its value is the object.
      if (lower === 'file') {
        if (info.valueTruncated) return fail(new S3Error('MaxPostPreDataLengthExceededError'));
        startFile(Readable.from([Buffer.from(value, 'utf8')]), undefined);
        return;
      }
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (info.valueTruncated || info.nameTruncated || fieldBytes > MAX_POST_FIELDS_BYTES) {
        return fail(new S3Error('MaxPostPreDataLengthExceededError'));
      }
      if (fields.has(lower)) {
        return fail(new S3Error('InvalidArgument', `The form field ${name} was given more than once.`, { ArgumentName: name, ArgumentValue: value }));
      }
      fields.set(lower, value);
    });
    parser.on('file', (name: string | undefined, stream, info) => {
      if (name === undefined && !fileSeen) {
        stream.resume();
        return fail(new S3Error('MalformedPOSTRequest'));
      }
      // Only the part named `file` is the object; any other file part is skipped unread.
      if (fileSeen || name?.toLowerCase() !== 'file') {
        stream.resume();
        return;
      }
      startFile(stream, info.filename);
    });
    parser.on('close', () => {
      settleFinished!.resolve();
      if (!fileSeen) {
        reject(new S3Error('InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' }));
      }
    });
    parser.on('error', () => fail(new S3Error('MalformedPOSTRequest')));

    function fail(err: S3Error) {
      req.unpipe(parser);
      // Drain what the client still sends, so the error response is read rather than reset.
      req.resume();
      settleFinished!.reject(err);
      reject(err);
    }

    // A client that goes away mid-form: end the parser, and with it the file stream, so that
    // nothing waits on a body that will never come (the staged file is then removed).
    req.once('close', () => {
      if (!req.readableEnded) parser.destroy(new S3Error('IncompleteBody'));
    });
    req.pipe(parser);
  });
}

/** Form fields whose name is not the header they stand for; every other field is named as its header. */
const HEADER_OF_FIELD: Readonly<Record<string, string>> = { acl: 'x-amz-acl', tagging: 'x-amz-tagging' };

/** The form field that stands for a request header (`x-amz-acl` is `acl` …), to name it in a refusal. */
export function formFieldOfHeader(header: string): string {
  return Object.keys(HEADER_OF_FIELD).find((field) => HEADER_OF_FIELD[field] === header) ?? header;
}

/** The form fields as the request headers they stand for (`acl` is `x-amz-acl` …): for authorization and metadata. */
export function formFieldsAsHeaders(fields: ReadonlyMap<string, string>): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of fields) {
    if (Object.hasOwn(HEADER_OF_FIELD, name)) headers[HEADER_OF_FIELD[name]!] = value;
    else if (name !== 'policy' && name !== 'key' && !name.startsWith('x-amz-signature')) headers[name] = value;
  }
  return headers;
}
