/**
 * The Objects tab: one level of a bucket at a time (ListObjectsV2 with delimiter `/`, 100 keys a
 * page, continuation tokens kept on a stack for Previous), folders then objects, and a details pane
 * for the selected object (HEAD with checksums, preview, download, delete). Every call goes
 * through /_smll/s3/ with the bucket credential's rights, so SMLL's refusals show here too.
 * The listing is live: a change another client makes under the prefix (seen in the request log's
 * stream) reloads the page shown, debounced.
 */
import { children, childText, encodeKey, parseXml, s3Fetch, s3Url, type Bucket } from './api.js';
import { h, replace } from './dom.js';
import { exactBytes, formatBytes, formatDate } from './format.js';
import { onLogEntry, type LogEntry } from './log.js';
import { announce, clearError, errorDetail, showError } from './ui.js';
import { uploadZone } from './upload.js';

export const PAGE_SIZE = 100;
/** Bytes of a text object fetched for its preview (a Range request). */
export const PREVIEW_BYTES = 256 * 1024;

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-ndjson|x-yaml|yaml|toml|x-sh|sql|csv|graphql)\b)|[+/](json|xml|yaml)\b/;
const TEXT_NAME = /\.(txt|md|csv|tsv|log|json|ndjson|ya?ml|xml|html?|css|[cm]?[jt]sx?|py|go|rs|java|sh|toml|ini|env|conf|sql|svg)$/i;
const CHECKSUMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];
/** Operations that add, replace or remove keys: a 2xx one under the prefix makes the listing stale. */
const KEY_CHANGES = new Set(['PutObject', 'CopyObject', 'PostObject', 'CompleteMultipartUpload', 'DeleteObject', 'DeleteObjects']);
/** Milliseconds a live refresh waits for more changes (a burst of puts reloads the listing once). */
export const LIVE_REFRESH_DELAY = 300;

/** `#/b/<bucket>/objects/<prefix>`: the hash that shows `prefix` of `bucket`. */
export function objectsHash(bucket: string, prefix = ''): string {
  return `#/b/${encodeURIComponent(bucket)}/objects/${encodeKey(prefix)}`;
}

/** What the preview shows for an object of this type and key. */
function previewKind(contentType: string, key: string): 'image' | 'json' | 'text' | undefined {
  if (contentType.startsWith('image/')) return 'image';
  if (/json\b/.test(contentType) || (/\.json$/i.test(key) && !TEXT_TYPE.test(contentType))) return 'json';
  if (TEXT_TYPE.test(contentType) || TEXT_NAME.test(key)) return 'text';
  return undefined;
}

/** `Content-Disposition` asking for a download named `name`, ASCII-only (non-ASCII names in `filename*`). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return ascii === name ? `attachment; filename="${name}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The last segment of a key (a trailing `/` kept), the name shown for it. */
const baseName = (key: string): string => /[^/]*\/?$/.exec(key)?.[0] || key;

/** The Objects panel of `bucket` at `prefix`. */
export function objectsPanel(bucket: Bucket, prefix: string): HTMLElement {
  const tokens: Array<string | undefined> = [undefined];
  let page = 0;
  let listing = 0;
  let detailing = 0;
  let selected: string | undefined;

  const body = h('tbody', {});
  const caption = h('caption', {}, 'Loading…');
  const table = h(
    'table',
    { class: 'listing', 'aria-busy': 'true' },
    caption,
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'num' }, 'Size'), h('th', { scope: 'col' }, 'Last modified'), h('th', { scope: 'col' }, 'ETag'))),
    body,
  );
  const previous = h('button', { type: 'button', disabled: true }, 'Previous');
  const next = h('button', { type: 'button', disabled: true }, 'Next');
  const pageLabel = h('span', { class: 'muted' }, 'Page 1');
  const details = h('aside', { class: 'details', 'aria-labelledby': 'details-heading' });

  // The live listing follows the request log's stream. The stream first replays entries logged
  // before the listing was made: a change counts only when it comes after the listing's own entry
  // (found by its x-amz-request-id) or, should that entry never come (more than 500 entries logged
  // before the stream opened), when it was logged a second or more after the listing's Date.
  let listingId: string | undefined;
  let listingSeen = false;
  let listedAt = Number.POSITIVE_INFINITY;
  let sinceSent: LogEntry[] = [];
  let refreshTimer: number | undefined;

  const emptyDetails = (): void => {
    selected = undefined;
    replace(details, h('h2', { id: 'details-heading' }, 'Details'), h('p', { class: 'muted' }, 'Select an object to see its content type, checksum and preview.'));
  };

  const load = async (): Promise<void> => {
    const call = ++listing;
    listingId = undefined;
    listingSeen = false;
    sinceSent = [];
    table.setAttribute('aria-busy', 'true');
    previous.disabled = next.disabled = true;
    try {
      const response = await s3Fetch(
        s3Url(bucket.name, undefined, { 'list-type': '2', delimiter: '/', prefix: prefix || undefined, 'max-keys': String(PAGE_SIZE), 'continuation-token': tokens[page] }),
      );
      const result = parseXml(await response.text()).documentElement;
      if (call !== listing) return;
      followFrom(response.headers.get('x-amz-request-id') ?? '', Date.parse(response.headers.get('date') ?? '') + 1000);
      const folders = children(result, 'CommonPrefixes').map((entry) => childText(entry, 'Prefix') ?? '');
      const objects = children(result, 'Contents');
      const nextToken = childText(result, 'IsTruncated') === 'true' ? childText(result, 'NextContinuationToken') : undefined;
      tokens.length = page + 1;
      if (nextToken) tokens.push(nextToken);
      replace(
        body,
        folders.map((folder) =>
          h('tr', { class: 'folder' }, h('td', {}, h('a', { href: objectsHash(bucket.name, folder) }, folder.slice(prefix.length))), h('td', { class: 'num muted' }, '—'), h('td', {}), h('td', {})),
        ),
        objects.map((entry) => objectRow(entry)),
        folders.length + objects.length === 0 ? h('tr', {}, h('td', { colspan: 4, class: 'muted' }, prefix ? 'Nothing under this prefix.' : 'This bucket is empty.')) : null,
      );
      replace(caption, `${prefix ? `Under ${prefix}: ` : ''}${folders.length} ${folders.length === 1 ? 'folder' : 'folders'}, ${objects.length} ${objects.length === 1 ? 'object' : 'objects'}${page > 0 || nextToken ? ` (page ${page + 1})` : ''}`);
      pageLabel.textContent = `Page ${page + 1}`;
      previous.disabled = page === 0;
      next.disabled = !nextToken;
    } catch (error) {
      if (call !== listing) return;
      // Nothing listed: the next change made elsewhere tries again.
      followFrom('', Number.NaN);
      showError(`Listing ${bucket.name}`, error);
      replace(body, h('tr', {}, h('td', { colspan: 4, class: 'error' }, `Could not list: ${errorDetail(error)}`)));
      replace(caption, 'Listing failed');
      previous.disabled = page === 0;
    } finally {
      if (call === listing) table.setAttribute('aria-busy', 'false');
    }
  };

  /** True when `entry` (from the stream) added, replaced or removed keys shown at this prefix by another client. */
  const changesListing = (entry: LogEntry): boolean =>
    !entry.console &&
    entry.status >= 200 &&
    entry.status < 300 &&
    entry.bucket === bucket.name &&
    KEY_CHANGES.has(entry.operation) &&
    // DeleteObjects (and a POST upload) log no key: they may have changed this prefix.
    (entry.key === undefined || entry.key.startsWith(prefix));

  /** Reloads the page shown LIVE_REFRESH_DELAY ms after the first change (later ones join it); the selection stays unless it was deleted. */
  const stale = (entry: LogEntry): void => {
    if (entry.operation === 'DeleteObject' && entry.key === selected) {
      detailing++;
      emptyDetails();
    }
    if (refreshTimer !== undefined) return;
    refreshTimer = window.setTimeout(() => {
      refreshTimer = undefined;
      void load();
    }, LIVE_REFRESH_DELAY);
  };

  /** The listing shown is the one logged as `requestId` ('' when unknown), answered at `answeredAt` ms (server clock). */
  const followFrom = (requestId: string, answeredAt: number): void => {
    listingId = requestId;
    listedAt = Number.isNaN(answeredAt) ? Number.POSITIVE_INFINITY : answeredAt;
    const buffered = sinceSent;
    sinceSent = [];
    const at = buffered.findIndex((entry) => entry.requestId === requestId);
    listingSeen = at >= 0 || requestId === '';
    for (const entry of buffered.slice(at + 1)) follow(entry);
  };

  const follow = (entry: LogEntry): void => {
    if (listingId === undefined) {
      sinceSent.push(entry);
    } else if (entry.requestId === listingId) {
      listingSeen = true;
    } else if ((listingSeen || Date.parse(entry.time) >= listedAt) && changesListing(entry)) {
      stale(entry);
    }
  };

  const objectRow = (entry: Element): HTMLTableRowElement => {
    const key = childText(entry, 'Key') ?? '';
    const size = Number(childText(entry, 'Size') ?? 0);
    const modified = childText(entry, 'LastModified') ?? '';
    const button = h('button', { type: 'button', class: 'linkish', 'aria-current': key === selected ? 'true' : null }, key.slice(prefix.length) || key);
    const row = h(
      'tr',
      { class: key === selected ? 'selected' : null },
      h('td', {}, button),
      h('td', { class: 'num', title: exactBytes(size) }, formatBytes(size)),
      h('td', {}, h('time', { datetime: modified }, formatDate(modified))),
      h('td', { class: 'mono etag' }, childText(entry, 'ETag') ?? ''),
    );
    button.addEventListener('click', () => {
      for (const other of body.querySelectorAll('tr.selected')) other.classList.remove('selected');
      for (const other of body.querySelectorAll('[aria-current]')) other.removeAttribute('aria-current');
      row.classList.add('selected');
      button.setAttribute('aria-current', 'true');
      void select(key);
    });
    return row;
  };

  const select = async (key: string): Promise<void> => {
    const call = ++detailing;
    selected = key;
    replace(details, h('h2', { id: 'details-heading' }, baseName(key)), h('p', { class: 'muted' }, 'Loading…'));
    let response: Response;
    try {
      response = await s3Fetch(s3Url(bucket.name, key), { method: 'HEAD', headers: { 'x-amz-checksum-mode': 'ENABLED' } });
    } catch (error) {
      if (call === detailing) replace(details, h('h2', { id: 'details-heading' }, baseName(key)), h('p', { class: 'error' }, `Could not read its details: ${errorDetail(error)}`));
      return;
    }
    if (call !== detailing) return;
    const headers = response.headers;
    const size = Number(headers.get('content-length') ?? 0);
    const contentType = headers.get('content-type') ?? '';
    const checksums = CHECKSUMS.flatMap((name) => {
      const value = headers.get(`x-amz-checksum-${name}`);
      return value ? [h('dd', { class: 'mono' }, `${name.toUpperCase()} ${value}`)] : [];
    });
    const metadata = Array.from(headers).filter(([name]) => name.startsWith('x-amz-meta-'));
    const row = (term: string, ...values: Array<HTMLElement | string>): HTMLElement[] => [h('dt', {}, term), ...values.map((value) => (typeof value === 'string' ? h('dd', {}, value) : value))];
    const download = s3Url(bucket.name, key, { 'response-content-disposition': attachment(baseName(key).replace(/\/$/, '') || 'download') });
    const preview = h('div', { class: 'preview' });
    replace(
      details,
      h('h2', { id: 'details-heading' }, baseName(key)),
      h(
        'dl',
        {},
        row('Key', h('dd', { class: 'mono' }, key)),
        row('Size', h('dd', { title: exactBytes(size) }, `${formatBytes(size)} (${exactBytes(size)})`)),
        row('Last modified', formatDate(headers.get('last-modified') ?? '')),
        row('Content type', h('dd', { class: 'mono' }, contentType || '—')),
        row('ETag', h('dd', { class: 'mono' }, headers.get('etag') ?? '')),
        row('Checksum', ...(checksums.length ? checksums : ['none stored'])),
        headers.get('x-amz-checksum-type') ? row('Checksum type', headers.get('x-amz-checksum-type') ?? '') : [],
        metadata.length ? row('Metadata', ...metadata.map(([name, value]) => h('dd', { class: 'mono' }, `${name.slice('x-amz-meta-'.length)}: ${value}`))) : [],
      ),
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button', href: download, download: baseName(key).replace(/\/$/, '') || 'download' }, 'Download'),
        h('button', { type: 'button', class: 'danger', onclick: () => void remove(key) }, 'Delete…'),
      ),
      h('h3', {}, 'Preview'),
      preview,
    );
    void showPreview(preview, key, contentType, size, call);
  };

  const showPreview = async (preview: HTMLElement, key: string, contentType: string, size: number, call: number): Promise<void> => {
    const kind = previewKind(contentType, key);
    if (!kind) return replace(preview, h('p', { class: 'muted' }, `No preview for ${contentType || 'this type'}.`));
    if (kind === 'image') return replace(preview, h('img', { src: s3Url(bucket.name, key), alt: `Preview of ${key}` }));
    if (size === 0) return replace(preview, h('p', { class: 'muted' }, 'Empty object.'));
    replace(preview, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const response = await s3Fetch(s3Url(bucket.name, key), { headers: { range: `bytes=0-${PREVIEW_BYTES - 1}` } });
      const text = new TextDecoder().decode(await response.arrayBuffer());
      if (call !== detailing) return;
      const whole = size <= PREVIEW_BYTES;
      let shown = text;
      if (kind === 'json' && whole) {
        try {
          shown = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          // Not valid JSON: shown as it is.
        }
      }
      replace(
        preview,
        whole ? null : h('p', { class: 'muted' }, `The first ${formatBytes(PREVIEW_BYTES)} of ${formatBytes(size)}.`),
        h('pre', { class: 'preview-text', tabindex: 0, 'aria-label': `Preview of ${key}` }, shown),
      );
    } catch (error) {
      if (call === detailing) replace(preview, h('p', { class: 'error' }, `No preview: ${errorDetail(error)}`));
    }
  };

  const remove = async (key: string): Promise<void> => {
    if (!(await confirmDelete(bucket.name, key))) return;
    try {
      await s3Fetch(s3Url(bucket.name, key), { method: 'DELETE' });
      clearError();
      announce(`Deleted ${key}`);
      emptyDetails();
      await load();
    } catch (error) {
      showError(`Deleting ${key}`, error);
    }
  };

  // The pager sits under 100 rows: a new page is shown from its top.
  const turn = async (to: number): Promise<void> => {
    page = to;
    await load();
    caption.scrollIntoView({ block: 'nearest' });
  };
  previous.addEventListener('click', () => void turn(Math.max(0, page - 1)));
  next.addEventListener('click', () => {
    if (tokens[page + 1] !== undefined) void turn(page + 1);
  });

  emptyDetails();
  void load();
  const root = h(
    'div',
    { class: 'objects' },
    breadcrumb(bucket.name, prefix),
    uploadZone(bucket.name, prefix, () => void load()),
    h(
      'div',
      { class: 'browser' },
      h(
        'div',
        { class: 'listing-wrap' },
        // At a phone's width the columns scroll sideways inside this box, not the page.
        h('div', { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-label': 'Objects listing' }, table),
        h('div', { class: 'pager' }, previous, pageLabel, next, h('button', { type: 'button', class: 'ghost', onclick: () => void load() }, 'Refresh')),
      ),
      details,
    ),
  );
  const unfollow = onLogEntry((entry) => {
    // The view was replaced (another prefix, tab or route): this panel stops following.
    if (!root.isConnected) {
      unfollow();
      window.clearTimeout(refreshTimer);
      return;
    }
    follow(entry);
  });
  return root;
}

/** `my-bucket / photos / 2024`: each level a link, the current one marked. */
function breadcrumb(bucket: string, prefix: string): HTMLElement {
  const levels = prefix.split('/').slice(0, -1);
  const crumbs = [h('li', {}, levels.length ? h('a', { href: objectsHash(bucket) }, bucket) : h('span', { 'aria-current': 'page', tabindex: -1 }, bucket))];
  levels.forEach((level, i) => {
    const last = i === levels.length - 1;
    const label = `${level}/`;
    crumbs.push(h('li', {}, last ? h('span', { 'aria-current': 'page', tabindex: -1 }, label) : h('a', { href: objectsHash(bucket, `${levels.slice(0, i + 1).join('/')}/`) }, label)));
  });
  return h('nav', { class: 'breadcrumb', 'aria-label': 'Prefix' }, h('ol', {}, crumbs));
}

/** Asks in a modal <dialog> whether to delete `key`; resolves true only for Delete. */
function confirmDelete(bucket: string, key: string): Promise<boolean> {
  const dialog = h(
    'dialog',
    { 'aria-labelledby': 'delete-title', 'aria-describedby': 'delete-text' },
    h('h2', { id: 'delete-title' }, 'Delete object?'),
    h('p', { id: 'delete-text' }, h('code', {}, `${bucket}/${key}`), ' will be deleted. SMLL keeps no versions: this cannot be undone.'),
    h('form', { method: 'dialog', class: 'actions' }, h('button', { value: 'cancel' }, 'Cancel'), h('button', { value: 'delete', class: 'danger' }, 'Delete')),
  );
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'delete');
      dialog.remove();
    });
    dialog.showModal();
  });
}
