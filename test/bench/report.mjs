/**
 * The bench's report: medians per metric and target, ratios to the ceiling and to the best
 * peer, the issue's targets checked, written as JSON, a Markdown table and an SVG bar chart.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { METRICS } from './workloads.mjs';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** How many times as good `value` is as `reference`: > 1 is better, whichever way the metric goes. */
export function goodness(id, value, reference) {
  if (value === undefined || reference === undefined || value === 0 || reference === 0) return undefined;
  return METRICS[id].better === 'higher' ? value / reference : reference / value;
}

const PEERS = ['s3rver', 'moto', 'minio'];

/** `samples[metricId][target]` → medians, ratios and the issue's targets. */
export function summarise({ samples, targets, meta }) {
  const metrics = {};
  // In catalogue order (W1 … W4), whatever order the workloads ran in.
  for (const id of Object.keys(METRICS).filter((id) => samples[id])) {
    const byTarget = samples[id];
    const medians = Object.fromEntries(Object.entries(byTarget).map(([name, values]) => [name, median(values)]));
    const peers = PEERS.filter((name) => medians[name] !== undefined);
    const bestPeer = peers.reduce((best, name) => (best === undefined || goodness(id, medians[name], medians[best]) > 1 ? name : best), undefined);
    const ratios = {};
    for (const [name, value] of Object.entries(medians)) {
      ratios[name] = {
        toCeiling: goodness(id, value, medians.ceiling),
        toBestPeer: bestPeer === undefined ? undefined : goodness(id, value, medians[bestPeer]),
      };
    }
    // Gateway mode's overhead: the gateway over MinIO against MinIO alone, in the same run.
    const gatewayToMinio = goodness(id, medians.gateway, medians.minio);
    metrics[id] = { ...METRICS[id], medians, samples: byTarget, bestPeer, ratios, ...(gatewayToMinio === undefined ? {} : { gatewayToMinio }) };
  }
  return { meta, targets, metrics, goals: checkGoals(metrics) };
}

/** The issue's targets for this emulator, each with the figures it was judged on. */
function checkGoals(metrics) {
  const goals = [];
  const value = (id, name = 'emulator') => metrics[id]?.medians[name];
  const ratio = (id) => metrics[id]?.ratios.emulator;
  const add = (goal, figures, held) => {
    if (figures.every((figure) => figure !== undefined && !Number.isNaN(figure))) goals.push({ goal, figures: figures.map(round), held });
  };
  // Issue 14's targets.
  for (const op of ['get', 'head', 'delete']) {
    const r = ratio(`w1.${op}.ops`);
    add(`W1 ${op.toUpperCase()} ≥ 0.6× ceiling ops/s`, [r?.toCeiling], r?.toCeiling >= 0.6);
  }
  const put = ratio('w1.put.ops');
  add('W1 PUT ≥ 1.0× ceiling ops/s', [put?.toCeiling], put?.toCeiling >= 1);
  for (const op of ['put', 'get', 'head', 'delete']) {
    const times = value(`w1.${op}.p99`) / value(`w1.${op}.p99`, 'ceiling');
    add(`W1 ${op.toUpperCase()} p99 ≤ 2× the ceiling's`, [times], times <= 2);
  }
  for (const op of ['put', 'get']) {
    const r = ratio(`w2.${op}.mbps`);
    add(`W2 ${op.toUpperCase()} ≥ 0.9× ceiling MB/s`, [r?.toCeiling], r?.toCeiling >= 0.9);
  }
  const rssOver = value('w2.peakRss') - value('w2.peakRss', 'ceiling');
  add('W2 emulator peak RSS ≤ the ceiling\'s + 10 MB (MB over it)', [rssOver], rssOver <= 10);
  const levels = Object.keys(metrics)
    .map((id) => /^w3\.(\d+)\.page$/.exec(id)?.[1])
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  if (levels.length >= 2) {
    const [small, large] = [levels[0], levels.at(-1)];
    const growth = value(`w3.${large}.page`) / value(`w3.${small}.page`);
    add(`W3 a page at ${large} keys ≤ 1.2× a page at ${small} keys`, [growth], growth <= 1.2);
  }
  for (const level of levels) {
    const times = value(`w3.${level}.walk`) / value(`w3.${level}.walk`, 'ceiling');
    add(`W3 full walk at ${level} keys ≤ 1.5× the ceiling's time`, [times], times <= 1.5);
  }
  const cli = value('w4.cli');
  const baselineTimes = cli / value('w4.nodeBaseline');
  add('W4 CLI cold start ≤ 250 ms, or ≤ 1.5× `node -e 0` in the same run (ms, times)', [cli, baselineTimes], cli <= 250 || baselineTimes <= 1.5);
  add('W4 in-process start + stop ≤ 5 ms', [value('w4.inProcess')], value('w4.inProcess') <= 5);
  add('W5 console first view drawn < 200 ms', [value('w5.firstView')], value('w5.firstView') < 200);
  const consoleLarge = Object.keys(metrics).find((id) => /^w5\.objects\.\d+$/.test(id));
  if (consoleLarge) {
    const growth = value(consoleLarge) / value('w5.objects.small');
    const keys = Number(consoleLarge.split('.')[2]).toLocaleString('en-US');
    add(`W5 console first page of objects at ${keys} keys ≤ 1.5× at 10 keys`, [growth], growth <= 1.5);
  }
  return goals;
}

function round(x) {
  if (x === undefined) return undefined;
  return Math.abs(x) >= 100 ? Math.round(x) : Math.abs(x) >= 10 ? Math.round(x * 10) / 10 : Math.round(x * 100) / 100;
}

function format(x) {
  return x === undefined ? '—' : round(x).toLocaleString('en-US');
}

function ratioText(x) {
  return x === undefined ? '—' : `${round(x).toFixed(2)}×`;
}

export function renderMarkdown(report) {
  const { meta, targets, metrics, goals } = report;
  const running = targets.filter((t) => !t.error);
  const names = running.map((t) => t.name);
  const lines = [];
  lines.push(`Run ${meta.date} on ${meta.machine}; Node ${meta.node}; medians of ${meta.repetitions} alternating repetitions${meta.smoke ? ' (SMOKE: tiny sizes, not a measurement)' : ''}.`);
  lines.push('');
  lines.push('| metric | unit | ' + running.map((t) => `${t.name}${t.verifiesSignatures ? '' : ' ¹'}`).join(' | ') + ' |');
  lines.push('|---|---|' + names.map(() => '---:|').join(''));
  for (const [id, m] of Object.entries(metrics)) {
    lines.push(`| ${m.label} | ${m.unit} | ${names.map((name) => format(m.medians[name])).join(' | ')} |`);
  }
  lines.push('');
  lines.push('Each figure as a ratio: "×ceiling / ×best peer", always as *how many times as good* (above 1 is better, whether the metric is a rate or a time).');
  lines.push('');
  lines.push('| metric | best peer | ' + names.join(' | ') + ' |');
  lines.push('|---|---|' + names.map(() => '---:|').join(''));
  for (const [, m] of Object.entries(metrics)) {
    const cells = names.map((name) => {
      const r = m.ratios[name];
      return r ? `${ratioText(r.toCeiling)} / ${ratioText(r.toBestPeer)}` : '—';
    });
    lines.push(`| ${m.label} | ${m.bestPeer ?? '—'} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('¹ does not verify request signatures (the ceiling by design, moto by default): it does less work per request than a server that does.');
  const failed = targets.filter((t) => t.error);
  if (failed.length) {
    lines.push('');
    lines.push('Targets that did not run:');
    for (const t of failed) lines.push(`- ${t.name}: ${t.error}`);
  }
  const workloadErrors = meta.errors ?? [];
  if (workloadErrors.length) {
    lines.push('');
    lines.push('Workloads that failed on a target (their figures are missing):');
    for (const e of workloadErrors) lines.push(`- ${e.target} ${e.workload}: ${e.error}`);
  }
  const overhead = Object.values(metrics).filter((m) => m.gatewayToMinio !== undefined && /^W[123]$/.test(m.workload));
  if (overhead.length) {
    lines.push('');
    lines.push('Gateway mode (issue 15): the gateway over MinIO as a ratio to MinIO alone, as *how many times as good* (1× = no overhead; below 1, what the SMLL front costs).');
    lines.push('');
    lines.push('| metric | gateway | MinIO | gateway / MinIO |');
    lines.push('|---|---:|---:|---:|');
    for (const m of overhead) lines.push(`| ${m.workload} ${m.label} (${m.unit}) | ${format(m.medians.gateway)} | ${format(m.medians.minio)} | ${ratioText(m.gatewayToMinio)} |`);
  }
  if (goals.length) {
    lines.push('');
    lines.push('| goal (issue 14) | figures | held |');
    lines.push('|---|---|---|');
    for (const g of goals) lines.push(`| ${g.goal} | ${g.figures.join(', ')} | ${g.held ? 'yes' : '**no**'} |`);
  }
  if (meta.notes?.length) {
    lines.push('');
    for (const note of meta.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

const COLOURS = { emulator: '#1b7f3b', gateway: '#7a3fb0', s3rver: '#d08a1e', moto: '#3566b8', minio: '#b03a48' };

function escapeXml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/**
 * Horizontal grouped bars: for each headline metric, each target's ratio to the ceiling on a
 * log scale from 0.01× to 4× (bars beyond are clipped and labelled), with the ceiling at 1×.
 */
export function renderSvg(report) {
  // Throughputs, memory, page costs and start-up; latency percentiles stay in the tables.
  const headline = Object.entries(report.metrics).filter(([id]) => /\.ops$|mbps|peakRss|\.page$|\.walk$|^w4\./.test(id));
  const names = report.targets.filter((t) => !t.error && t.name !== 'ceiling').map((t) => t.name);
  const barHeight = 9;
  const groupHeight = names.length * barHeight + 10;
  const left = 330;
  const width = 860;
  const plotWidth = width - left - 70;
  const top = 40;
  const height = top + headline.length * groupHeight + 40;
  const [low, high] = [Math.log10(0.01), Math.log10(4)];
  const x = (ratio) => left + ((Math.min(Math.max(Math.log10(ratio), low), high) - low) / (high - low)) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Speed relative to the ceiling server (1× = bare node:http; higher is better, log scale)</text>`,
  ];
  for (const tick of [0.01, 0.03, 0.1, 0.3, 0.6, 1, 2, 4]) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 5}" x2="${x(tick)}" y2="${height - 30}" stroke="${tick === 1 ? '#000' : '#ddd'}"/>`);
    parts.push(`<text x="${x(tick)}" y="${height - 16}" text-anchor="middle">${tick}×</text>`);
  }
  headline.forEach(([id, m], g) => {
    const y0 = top + g * groupHeight;
    parts.push(`<text x="${left - 8}" y="${y0 + groupHeight / 2}" text-anchor="end">${escapeXml(`${m.workload} ${m.label}`)}</text>`);
    names.forEach((name, i) => {
      const ratio = m.ratios[name]?.toCeiling;
      if (ratio === undefined) return;
      const y = y0 + i * barHeight;
      parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(ratio) - left)}" height="${barHeight - 1}" fill="${COLOURS[name] ?? '#888'}"/>`);
      parts.push(`<text x="${x(ratio) + 3}" y="${y + barHeight - 1}" font-size="9">${ratioText(ratio)}</text>`);
    });
  });
  names.forEach((name, i) => {
    parts.push(`<rect x="${left + i * 120}" y="24" width="10" height="10" fill="${COLOURS[name] ?? '#888'}"/>`);
    parts.push(`<text x="${left + i * 120 + 14}" y="33">${escapeXml(name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export function writeReport(report, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const markdown = renderMarkdown(report);
  fs.writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(join(outDir, 'latest.md'), markdown);
  fs.writeFileSync(join(outDir, 'latest.svg'), renderSvg(report));
  return markdown;
}
