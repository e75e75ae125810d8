/**
 * `node test/bench/profile-summary.mjs FILE.cpuprofile [N]`: where a V8 CPU profile spent its
 * time: self time summed per package / source file, the top N functions by self time and by
 * inclusive time.
 */
import fs from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

function where(url) {
  if (!url) return '(native/vm)';
  const nodeModule = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nodeModule) return nodeModule[1];
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*?\/(dist|src|test)\//, '$1/');
}

const byFunction = new Map();
const byPlace = new Map();
for (const [id, micros] of selfMicros) {
  const { callFrame } = byId.get(id);
  const fn = `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}:${callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  const place = where(callFrame.url);
  byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
}
// Inclusive time: each sample counts once for every distinct function on its stack.
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const label = ({ callFrame }) => `${callFrame.functionName || '(anonymous)'} ${where(callFrame.url)}:${callFrame.lineNumber + 1}`;
const inclusive = new Map();
for (const [id, micros] of selfMicros) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) seen.add(label(byId.get(at)));
  for (const fn of seen) inclusive.set(fn, (inclusive.get(fn) ?? 0) + micros);
}

const show = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}\n`);
  }
};
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms sampled\n`);
show('self time by package / file', byPlace);
show('self time by function', byFunction);
show('total (inclusive) time by function', inclusive);
