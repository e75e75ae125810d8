/** The page's shared messages: the polite status line, the error banner, and copying to the clipboard. */
import { RequestError } from './api.js';
import { byId, h, replace } from './dom.js';

let statusTimer: number | undefined;

/** Says `message` in the status line (an aria-live region), cleared after a few seconds. */
export function announce(message: string): void {
  const status = byId('status');
  // Emptied first so that the same message twice in a row is announced twice.
  status.textContent = '';
  window.clearTimeout(statusTimer);
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
  statusTimer = window.setTimeout(() => {
    status.textContent = '';
  }, 6000);
}

/** `AccessDenied: Access Denied`: an error's code and message (S3's or the console's). */
export function errorDetail(error: unknown): string {
  if (error instanceof RequestError) return `${error.code}${error.message ? `: ${error.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** `Refused — AccessDenied: …` / `Failed — NoSuchKey: …`: an error as one readable line. */
export function describeError(error: unknown): string {
  return `${error instanceof RequestError && error.refused ? 'Refused' : 'Failed'} — ${errorDetail(error)}`;
}

/** Shows `what` failed with `error` in the banner (role=alert) until dismissed or replaced. */
export function showError(what: string, error: unknown): void {
  const banner = byId('banner');
  const refused = error instanceof RequestError && error.refused;
  banner.classList.toggle('refused', refused);
  replace(
    banner,
    h('p', {}, h('strong', {}, `${what} ${refused ? 'was refused (SMLL refuses it too)' : 'failed'}: `), errorDetail(error)),
    h('button', { type: 'button', class: 'ghost', onclick: clearError }, 'Dismiss'),
  );
  banner.hidden = false;
}

/** Hides the banner. */
export function clearError(): void {
  const banner = byId('banner');
  banner.hidden = true;
  replace(banner);
}

/**
 * Copies `text` and announces `Copied <what>`. navigator.clipboard exists only in a secure context
 * (https, localhost, 127.0.0.1); elsewhere (a console opened at http://<LAN address>) the older
 * selection copy is used.
 */
export async function copy(text: string, what: string): Promise<void> {
  try {
    if (navigator.clipboard) await navigator.clipboard.writeText(text);
    else copyBySelection(text);
    announce(`Copied ${what}`);
  } catch {
    announce(`Could not copy ${what}: the browser refused the clipboard. Select the text and copy it.`);
  }
}

function copyBySelection(text: string): void {
  const area = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true', tabindex: -1 });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('copy refused');
}
