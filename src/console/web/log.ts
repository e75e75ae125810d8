/**
 * The live request log: every request the emulator answers, from its server-sent events
 * (`/_smll/api/events`: the last ≤ 500 first, then each as it is logged), newest first, at most
 * 1,000 rows kept. A refused request carries a badge naming the IAM action it was refused and the
 * request header(s) that asked for it, and the server's hint (why, what to change) under it.
 * Other views follow the same stream through `onLogEntry` (the Objects tab refreshes itself).
 */
import { h, replace } from './dom.js';
import { formatClock, formatDuration } from './format.js';

/** One request-log entry, as CONSOLE.md's event stream sends it. */
export interface LogEntry {
  time: string;
  requestId: string;
  operation: string;
  bucket?: string;
  key?: string;
  path?: string;
  status: number;
  errorCode?: string;
  durationMs: number;
  hint?: string;
  console?: boolean;
  refusal?: { action: string; headers: string[] };
}

export const MAX_ROWS = 1000;
/** Request ids remembered to drop the entries an EventSource reconnect sends again (≥ the 500 replayed). */
const SEEN_IDS = 2000;

type EntryListener = (entry: LogEntry) => void;
const listeners = new Set<EntryListener>();

/**
 * Calls `listener` with each entry the stream brings from now on (replayed ones included, each
 * once, in the order logged); returns the function that stops it.
 */
export function onLogEntry(listener: EntryListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** `s3:PutObjectAcl ← x-amz-acl`: the refusal badge's text. */
export function refusalLabel(refusal: { action: string; headers: string[] }): string {
  return refusal.headers.length ? `${refusal.action} ← ${refusal.headers.join(', ')}` : refusal.action;
}

/** The log section (hidden until its route shows it; it keeps listening while hidden) and the nav's refused counter. */
export function requestLog(bucketNames: string[]): { section: HTMLElement; refusedCount: HTMLElement } {
  const bucketFilter = h('select', { id: 'log-bucket' }, h('option', { value: '' }, 'All buckets'));
  const statusFilter = h(
    'select',
    { id: 'log-status' },
    h('option', { value: '' }, 'All'),
    ['2xx', '3xx', '4xx', '5xx'].map((value) => h('option', { value }, value)),
  );
  const refusedOnly = h('input', { type: 'checkbox', id: 'log-refused' });
  const connection = h('span', { class: 'connection muted' }, 'Connecting…');
  const shownCount = h('span', { class: 'muted' }, '');
  const refusedCount = h('span', { class: 'refused-count', hidden: true });
  const body = h('tbody', {});
  const empty = h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No requests yet. Requests appear here as the emulator answers them.'));
  body.appendChild(empty);

  const knownBuckets = new Set<string>();
  const addBucket = (name: string): void => {
    if (knownBuckets.has(name)) return;
    knownBuckets.add(name);
    bucketFilter.appendChild(h('option', { value: name }, name));
  };
  bucketNames.forEach(addBucket);

  const seen = new Set<string>();
  const seenOrder: string[] = [];
  let refused = 0;

  const matches = (row: HTMLTableRowElement): boolean =>
    (!bucketFilter.value || row.dataset.bucket === bucketFilter.value) &&
    (!statusFilter.value || row.dataset.status === statusFilter.value) &&
    (!refusedOnly.checked || row.dataset.refused === 'true');

  const count = (): void => {
    const rows = body.querySelectorAll<HTMLTableRowElement>('tr[data-status]');
    const shown = Array.from(rows).filter((row) => !row.hidden).length;
    shownCount.textContent = `Showing ${shown} of ${rows.length} requests`;
  };
  const filter = (): void => {
    for (const row of body.querySelectorAll<HTMLTableRowElement>('tr[data-status]')) row.hidden = !matches(row);
    count();
  };
  for (const control of [bucketFilter, statusFilter, refusedOnly]) control.addEventListener('change', filter);

  const add = (entry: LogEntry): void => {
    if (seen.has(entry.requestId)) return;
    seen.add(entry.requestId);
    seenOrder.push(entry.requestId);
    if (seenOrder.length > SEEN_IDS) seen.delete(seenOrder.shift() ?? '');
    if (entry.bucket) addBucket(entry.bucket);
    empty.remove();
    const row = entryRow(entry);
    row.hidden = !matches(row);
    body.prepend(row);
    while (body.children.length > MAX_ROWS) body.lastElementChild?.remove();
    if (entry.refusal) {
      refused++;
      refusedCount.hidden = false;
      refusedCount.textContent = `${refused} refused`;
    }
    scheduleCount();
    for (const listener of listeners) listener(entry);
  };
  // The replay of up to 500 entries arrives in one burst: count once per frame, not per row.
  let counting = false;
  const scheduleCount = (): void => {
    if (counting) return;
    counting = true;
    requestAnimationFrame(() => {
      counting = false;
      count();
    });
  };

  const events = new EventSource('/_smll/api/events');
  events.addEventListener('open', () => replace(connection, 'Live'));
  events.addEventListener('error', () =>
    replace(connection, events.readyState === EventSource.CLOSED ? 'Disconnected: reload the page to reconnect.' : 'Reconnecting…'),
  );
  events.addEventListener('request', (event) => {
    try {
      add(JSON.parse((event as MessageEvent<string>).data) as LogEntry);
    } catch {
      // A malformed event is skipped; the next ones still show.
    }
  });

  const section = h(
    'section',
    { id: 'log-view', class: 'log', 'aria-labelledby': 'log-heading', hidden: true },
    h('h1', { id: 'log-heading', tabindex: -1 }, 'Request log'),
    h(
      'p',
      { class: 'lede' },
      'Every request the emulator answers, newest first (the last 1,000). A ',
      h('span', { class: 'badge refused' }, 'refused'),
      ' badge names the IAM action a request was refused and what in the request asked for it (a header, query parameter or form field; nothing more when the operation itself needs the action). The line under it says why and what to change: a credential used on another bucket, for one, is refused s3:GetObject although it is granted that action on its own bucket. Production refuses the same calls. ',
      h('span', { class: 'badge console' }, 'console'),
      ' marks this page’s own calls.',
    ),
    h(
      'form',
      { class: 'filters', 'aria-label': 'Filters', onsubmit: (event: Event) => event.preventDefault() },
      h('label', { for: 'log-bucket' }, 'Bucket'),
      bucketFilter,
      h('label', { for: 'log-status' }, 'Status'),
      statusFilter,
      h('span', { class: 'check' }, refusedOnly, h('label', { for: 'log-refused' }, 'Refused only')),
      h('span', { class: 'spacer' }),
      shownCount,
      connection,
    ),
    h(
      'table',
      { class: 'log-table' },
      h('caption', { class: 'visually-hidden' }, 'Requests, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Time', 'Operation', 'Bucket/key', 'Status', 'Error', 'Duration'].map((name) => h('th', { scope: 'col', class: name === 'Status' || name === 'Duration' ? 'num' : null }, name)),
        ),
      ),
      body,
    ),
  );
  return { section, refusedCount };
}

function entryRow(entry: LogEntry): HTMLTableRowElement {
  const target = entry.bucket ? `${entry.bucket}${entry.key === undefined ? '' : `/${entry.key}`}` : (entry.path ?? '');
  const statusClass = `${Math.floor(entry.status / 100)}xx`;
  const row = h(
    'tr',
    { 'data-bucket': entry.bucket ?? '', 'data-status': statusClass, 'data-refused': String(Boolean(entry.refusal)), class: entry.refusal ? 'refused' : null },
    h('td', {}, h('time', { datetime: entry.time, title: entry.time }, formatClock(entry.time))),
    h('td', {}, entry.operation, entry.console ? [' ', h('span', { class: 'badge console', title: 'Sent by this console' }, 'console')] : null),
    h('td', { class: 'mono target' }, target),
    h('td', { class: `num status s${statusClass}` }, entry.status),
    h(
      'td',
      {},
      entry.errorCode ?? '',
      entry.refusal
        ? [
            ' ',
            h('span', { class: 'badge refused' }, refusalLabel(entry.refusal)),
          ]
        : null,
      // Why it was refused and what to change (e.g. a credential granted s3:GetObject on its own bucket only).
      entry.hint ? h('span', { class: 'hint' }, ` ${entry.hint}`) : null,
    ),
    h('td', { class: 'num' }, formatDuration(entry.durationMs)),
  );
  return row;
}
