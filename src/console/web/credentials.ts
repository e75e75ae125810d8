/**
 * The Credentials tab: SMLL's four values under SMLL's names, the secret masked until revealed,
 * and the ready-to-paste texts (shell, .env, Kubernetes Secret, Node, Python, Go) with copy buttons.
 * Copy always copies the real values; the mask only hides the secret on screen.
 */
import type { Bucket, Credentials, Snippets } from './api.js';
import { h } from './dom.js';
import { copy } from './ui.js';

const NAMES: Array<keyof Credentials> = ['ACCESS_KEY', 'SECRET_KEY', 'ENDPOINT', 'REGION'];

const DESCRIPTIONS: Record<keyof Credentials, string> = {
  ACCESS_KEY: 'S3 access key ID',
  SECRET_KEY: 'S3 secret access key',
  ENDPOINT: 'S3 endpoint URL',
  REGION: 'Storage region',
};

/** Each text's heading; its copy button is `Copy <heading>`. */
const SNIPPETS: Array<{ name: keyof Snippets; title: string }> = [
  { name: 'shell', title: 'Shell exports' },
  { name: 'dotenv', title: '.env' },
  { name: 'kubernetes', title: 'Kubernetes Secret' },
  { name: 'node', title: 'Node.js snippet' },
  { name: 'python', title: 'Python snippet' },
  { name: 'go', title: 'Go snippet' },
];

const MASK = '••••••••••••••••••••••••••••••••••••••••';

/** `value` in base64 (of its UTF-8 bytes). */
function base64(value: string): string {
  return btoa(Array.from(new TextEncoder().encode(value), (byte) => String.fromCharCode(byte)).join(''));
}

/** The Credentials panel of `bucket`. */
export function credentialsPanel(bucket: Bucket): HTMLElement {
  const secret = bucket.credentials.SECRET_KEY;
  // The Kubernetes Secret carries the key base64-encoded: that form is masked too.
  const hidden = secret ? [secret, base64(secret)] : [];
  const masked = (text: string): string => hidden.reduce((result, form) => result.split(form).join(MASK), text);
  const shown: Array<{ pre: HTMLPreElement; text: string }> = [];

  const field = (name: keyof Credentials): HTMLElement => {
    const id = `credential-${name}`;
    const input = h('input', { id, type: name === 'SECRET_KEY' ? 'password' : 'text', readonly: true, spellcheck: 'false', autocomplete: 'off', class: 'mono', 'aria-describedby': `${id}-about` });
    input.value = bucket.credentials[name];
    const reveal =
      name === 'SECRET_KEY'
        ? h('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': 'Reveal SECRET_KEY', 'aria-controls': id }, 'Reveal')
        : undefined;
    reveal?.addEventListener('click', () => {
      const on = reveal.getAttribute('aria-pressed') !== 'true';
      reveal.setAttribute('aria-pressed', String(on));
      input.type = on ? 'text' : 'password';
      for (const { pre, text } of shown) pre.textContent = on ? text : masked(text);
    });
    return h(
      'div',
      { class: 'field' },
      h('div', { class: 'field-head' }, h('label', { for: id, class: 'mono name' }, name), h('span', { id: `${id}-about`, class: 'muted' }, DESCRIPTIONS[name])),
      h(
        'div',
        { class: 'field-row' },
        input,
        reveal,
        h('button', { type: 'button', 'aria-label': `Copy ${name}`, onclick: () => void copy(bucket.credentials[name], name) }, 'Copy'),
      ),
    );
  };

  const snippet = ({ name, title }: (typeof SNIPPETS)[number]): HTMLElement => {
    const text = bucket.snippets[name];
    const headingId = `snippet-${name}`;
    const pre = h('pre', { class: 'snippet', tabindex: 0, 'aria-labelledby': headingId }, masked(text));
    shown.push({ pre, text });
    return h(
      'section',
      { class: 'snippet-block', 'aria-labelledby': headingId },
      h(
        'div',
        { class: 'snippet-head' },
        h('h3', { id: headingId }, title),
        h('button', { type: 'button', onclick: () => void copy(text, title) }, `Copy ${title}`),
      ),
      pre,
    );
  };

  return h(
    'div',
    { class: 'credentials' },
    h(
      'p',
      { class: 'lede' },
      'The credential of this bucket, as SMLL shows it in the bucket’s Credentials tab. It is granted ',
      bucket.actions.map((action, i) => [i ? ', ' : '', h('code', {}, action)]),
      '; anything else is refused, here as in production.',
    ),
    h('div', { class: 'fields' }, NAMES.map(field)),
    h('h2', {}, 'Use it'),
    // The Node and Python texts are SMLL's own, placeholders included: a paste fails until they are replaced.
    h('p', { class: 'lede placeholders' }, 'The Node.js and Python snippets are SMLL’s own text: ', h('code', {}, 'fileBuffer'), ' and ', h('code', {}, 'photo.jpg'), ' are SMLL’s placeholders: put your data there.'),
    SNIPPETS.map(snippet),
  );
}
