/**
 * The console's page: hash routes over one document.
 *   #/                           the buckets
 *   #/b/<bucket>/credentials     a bucket's Credentials tab (the default tab of #/b/<bucket>)
 *   #/b/<bucket>/objects/<prefix> its Objects tab at a prefix (`/`-separated, each segment URI-encoded)
 *   #/log                        the live request log
 * The first view draws as soon as the bucket list answers; the request log's event stream is
 * opened after that draw, never waited on.
 */
import { fetchBuckets, type Bucket } from './api.js';
import { credentialsPanel } from './credentials.js';
import { byId, h, replace } from './dom.js';
import { requestLog } from './log.js';
import { objectsHash, objectsPanel } from './objects.js';
import { clearError, showError } from './ui.js';

type Tab = 'credentials' | 'objects';
type Route = { view: 'buckets' } | { view: 'log' } | { view: 'bucket'; bucket: string; tab: Tab; prefix: string } | { view: 'unknown' };

const TABS: Array<{ tab: Tab; label: string }> = [
  { tab: 'credentials', label: 'Credentials' },
  { tab: 'objects', label: 'Objects' },
];

/** Reads a location hash; anything it does not know (or a malformed escape) is `unknown`. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === '') return { view: 'buckets' };
  if (path === 'log') return { view: 'log' };
  const match = /^b\/([^/]+)(?:\/(credentials|objects)(?:\/(.*))?)?$/.exec(path);
  if (!match) return { view: 'unknown' };
  try {
    const prefix = match[2] === 'objects' && match[3] ? match[3].split('/').map(decodeURIComponent).join('/') : '';
    return { view: 'bucket', bucket: decodeURIComponent(match[1]), tab: (match[2] as Tab | undefined) ?? 'credentials', prefix };
  } catch {
    return { view: 'unknown' };
  }
}

const tabHash = (bucket: string, tab: Tab): string => (tab === 'objects' ? objectsHash(bucket) : `#/b/${encodeURIComponent(bucket)}/credentials`);

let buckets: Bucket[] | undefined;
let logSection: HTMLElement | undefined;

function render(focus: boolean): void {
  const route = parseRoute(location.hash);
  const view = byId('view');
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#site-nav a')) {
    if (link.dataset.view === route.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (logSection) logSection.hidden = route.view !== 'log';
  // Until the log exists (the buckets are loading), the view keeps saying so.
  view.hidden = route.view === 'log' && logSection !== undefined;
  if (route.view === 'log') {
    document.title = 'Request log · smll-storage console';
    if (focus) byId('log-heading').focus();
    return;
  }
  if (!buckets) return;
  let heading: HTMLElement;
  if (route.view === 'buckets') {
    document.title = 'Buckets · smll-storage console';
    heading = h('h1', { tabindex: -1 }, 'Buckets');
    replace(view, heading, bucketList(buckets));
  } else if (route.view === 'unknown') {
    document.title = 'Not found · smll-storage console';
    heading = h('h1', { tabindex: -1 }, 'Not found');
    replace(view, heading, h('p', {}, 'The console has no such page. ', h('a', { href: '#/' }, 'Show the buckets')));
  } else {
    const bucket = buckets.find((candidate) => candidate.name === route.bucket);
    if (!bucket) {
      document.title = 'No such bucket · smll-storage console';
      heading = h('h1', { tabindex: -1 }, 'No such bucket');
      replace(view, heading, h('p', {}, 'This emulator serves no bucket named ', h('code', {}, route.bucket), '. ', h('a', { href: '#/' }, 'Show the buckets')));
    } else {
      const label = TABS.find(({ tab }) => tab === route.tab)?.label ?? '';
      document.title = `${bucket.name} · ${label} · smll-storage console`;
      heading = h('h1', { tabindex: -1 }, bucket.name);
      const panel = route.tab === 'objects' ? objectsPanel(bucket, route.prefix) : credentialsPanel(bucket);
      const refocusTab = document.activeElement?.getAttribute('role') === 'tab';
      replace(
        view,
        heading,
        tabList(bucket.name, route.tab),
        h('div', { role: 'tabpanel', id: 'tab-panel', 'aria-labelledby': `tab-${route.tab}` }, panel),
      );
      if (refocusTab) {
        document.getElementById(`tab-${route.tab}`)?.focus();
        return;
      }
      // Moving between prefixes keeps the reader in the listing, not back at the page's top.
      if (focus && route.tab === 'objects' && route.prefix) {
        view.querySelector<HTMLElement>('.breadcrumb [aria-current]')?.focus();
        return;
      }
    }
  }
  if (focus) heading.focus();
}

/** The bucket's tabs: links (each tab is a route) with tab semantics and arrow-key movement. */
function tabList(bucket: string, selected: Tab): HTMLElement {
  const tabs = TABS.map(({ tab, label }) =>
    h('a', { role: 'tab', id: `tab-${tab}`, href: tabHash(bucket, tab), 'aria-selected': String(tab === selected), 'aria-controls': 'tab-panel', tabindex: tab === selected ? 0 : -1 }, label),
  );
  const list = h('div', { role: 'tablist', 'aria-label': `${bucket} views`, class: 'tabs' }, tabs);
  list.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(event.target as HTMLAnchorElement);
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (index < 0 || to === undefined) return;
    event.preventDefault();
    const target = tabs[(to + tabs.length) % tabs.length];
    target.focus();
    location.hash = target.getAttribute('href') ?? '';
  });
  return list;
}

function bucketList(all: Bucket[]): HTMLElement {
  if (all.length === 0) return h('p', {}, 'This emulator serves no bucket. Start it with ', h('code', {}, '--bucket NAME'), '.');
  return h(
    'div',
    {},
    h('p', { class: 'lede' }, 'The buckets this emulator serves. As on SMLL, each has its own credential, granted only that bucket.'),
    h(
      'table',
      { class: 'buckets' },
      h('caption', { class: 'visually-hidden' }, 'Buckets'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Bucket'), h('th', { scope: 'col' }, 'ENDPOINT'), h('th', { scope: 'col' }, 'REGION'), h('th', { scope: 'col' }, 'Open'))),
      h(
        'tbody',
        {},
        all.map((bucket) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: tabHash(bucket.name, 'credentials') }, bucket.name)),
            h('td', { class: 'mono' }, bucket.credentials.ENDPOINT),
            h('td', { class: 'mono' }, bucket.credentials.REGION),
            h(
              'td',
              { class: 'open' },
              h('a', { href: tabHash(bucket.name, 'credentials'), 'aria-label': `Credentials of ${bucket.name}` }, 'Credentials'),
              h('a', { href: tabHash(bucket.name, 'objects'), 'aria-label': `Objects in ${bucket.name}` }, 'Objects'),
            ),
          ),
        ),
      ),
    ),
  );
}

async function start(): Promise<void> {
  window.addEventListener('hashchange', () => {
    // A message about the previous view does not belong to the next one.
    clearError();
    render(true);
  });
  // A file dropped beside the drop zone would make the browser leave the page to open it.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());
  render(false);
  try {
    buckets = await fetchBuckets();
  } catch (error) {
    showError('Loading the buckets', error);
    replace(byId('view'), h('h1', {}, 'Buckets'), h('p', { class: 'error' }, 'The console could not load the buckets (see the message above).'));
    return;
  }
  render(false);
  const log = requestLog(buckets.map((bucket) => bucket.name));
  logSection = log.section;
  byId('main').appendChild(log.section);
  byId('log-link').after(log.refusedCount);
  // Only the log view waited for the log; drawing any other view again would load it twice.
  if (parseRoute(location.hash).view === 'log') render(false);
}

void start();
