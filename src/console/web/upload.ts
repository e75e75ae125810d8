/**
 * Uploads into the current prefix: a drop zone and a labelled file input. Files up to 8 MiB go in
 * one PutObject; larger ones in 8 MiB parts (CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload). A failed multipart upload is left to the emulator's upload expiry:
 * SMLL's credential is not granted AbortMultipartUpload, so the console cannot abort it either.
 */
import { RequestError, childText, parseXml, s3ErrorOf, s3Url, send } from './api.js';
import { h, replace } from './dom.js';
import { formatBytes } from './format.js';
import { announce, describeError, showError } from './ui.js';

/** Largest single PUT, and the size of each multipart part. */
export const PART_SIZE = 8 * 1024 * 1024;

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The upload region for `bucket`, uploading under `prefix`; `onUploaded` runs after each success. */
export function uploadZone(bucket: string, prefix: string, onUploaded: () => void): HTMLElement {
  const list = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });
  let queue: Promise<void> = Promise.resolve();

  const start = (files: FileList | null): void => {
    for (const file of Array.from(files ?? [])) {
      queue = queue.then(() => uploadOne(bucket, prefix + file.name, file, list)).then(onUploaded, () => undefined);
    }
  };

  const input = h('input', { type: 'file', multiple: true, class: 'file-input' });
  input.addEventListener('change', () => {
    start(input.files);
    input.value = '';
  });

  const zone = h(
    'section',
    { class: 'dropzone', 'aria-label': 'Upload' },
    h(
      'p',
      {},
      'Drop files here to upload them ',
      prefix ? ['under ', h('code', {}, prefix)] : 'at the top of the bucket',
      ', or ',
      h('label', { class: 'button file-button' }, 'Upload files…', input),
      h('span', { class: 'muted' }, ` Over ${formatBytes(PART_SIZE)}: multipart, ${formatBytes(PART_SIZE)} parts.`),
    ),
    list,
  );
  // A drag may cross child elements: count enters and leaves so that the highlight stays on.
  let depth = 0;
  zone.addEventListener('dragenter', (event) => {
    event.preventDefault();
    depth++;
    zone.classList.add('over');
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('over');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    zone.classList.remove('over');
    start(event.dataTransfer?.files ?? null);
  });
  return zone;
}

async function uploadOne(bucket: string, key: string, file: File, list: HTMLElement): Promise<void> {
  const progress = h('progress', { max: Math.max(file.size, 1), value: 0, 'aria-label': `Upload progress of ${key}` });
  const state = h('span', { class: 'upload-state' }, 'Waiting');
  const item = h('li', {}, h('span', { class: 'mono' }, key), h('span', { class: 'muted' }, formatBytes(file.size)), progress, state);
  list.prepend(item);
  // The list keeps the last ten uploads.
  while (list.children.length > 10) list.lastElementChild?.remove();

  const show = (sent: number): void => {
    progress.value = sent;
    state.textContent = `${file.size ? Math.floor((sent / file.size) * 100) : 100}%`;
  };
  const typeHeader: Record<string, string> = file.type ? { 'content-type': file.type } : {};
  let uploadId: string | undefined;
  try {
    show(0);
    if (file.size <= PART_SIZE) {
      await send('PUT', s3Url(bucket, key), file, typeHeader, show);
    } else {
      const created = await send('POST', s3Url(bucket, key, { uploads: '' }), null, typeHeader);
      uploadId = childText(parseXml(created.body).documentElement, 'UploadId');
      if (!uploadId) throw new RequestError(created.status, 'MalformedResponse', 'CreateMultipartUpload answered without an UploadId.');
      const parts: string[] = [];
      for (let number = 1, offset = 0; offset < file.size; number++, offset += PART_SIZE) {
        const part = await send('PUT', s3Url(bucket, key, { partNumber: String(number), uploadId }), file.slice(offset, offset + PART_SIZE), {}, (sent) => show(offset + sent));
        parts.push(`<Part><PartNumber>${number}</PartNumber><ETag>${escapeXml(part.header('etag') ?? '')}</ETag></Part>`);
      }
      const body = `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</CompleteMultipartUpload>`;
      const completed = await send('POST', s3Url(bucket, key, { uploadId }), body, { 'content-type': 'application/xml' });
      // CompleteMultipartUpload may fail after its 200 status line: the error is then the body.
      const error = s3ErrorOf(completed.body);
      if (error) throw new RequestError(completed.status, error.code, error.message);
    }
    show(file.size);
    item.classList.add('done');
    state.textContent = 'Uploaded';
    announce(`Uploaded ${key}`);
  } catch (error) {
    item.classList.add(error instanceof RequestError && error.refused ? 'refused' : 'failed');
    const left = uploadId ? ' Its parts are left to upload expiry (AbortMultipartUpload is not granted).' : '';
    replace(state, `${describeError(error)}${left}`);
    showError(`Upload of ${key}`, error);
    throw error;
  }
}
