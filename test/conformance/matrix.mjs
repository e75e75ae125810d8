// Renders test/conformance/MATRIX.md from the orchestrator's result summaries (results-<target>.json).

const SDK_ORDER = ['node', 'python', 'go', 'java', 'cli', 'pyarrow', 's3fs', 'polars', 'minio-py', 'minio-js', 'rust', 'mc', 'restic', 'rclone'];
const SDK_NAMES = {
  node: 'Node',
  python: 'Python',
  go: 'Go',
  java: 'Java',
  cli: 'AWS CLI',
  pyarrow: 'pyarrow',
  s3fs: 's3fs+pandas',
  polars: 'polars',
  'minio-py': 'minio-py',
  'minio-js': 'minio-js',
  rust: 'Rust',
  mc: 'mc',
  restic: 'restic',
  rclone: 'rclone',
};
/** What each client-native flow (a result id starting with flow-, reported beside the catalogue) does. */
const FLOWS = {
  'flow-parquet': 'write a Parquet file with the client, read it back equal',
  'flow-csv': 'write a CSV file with the client, read it back equal',
  'flow-small-files': 'upload five small files, list them, read each back, delete them (as far as the client can)',
  'flow-large-file': 'upload a 40 MiB file as the client does by default or documents for large files (multipart), read it back, delete it',
};
const MARK = { pass: '✅', fail: '❌', 'not-expressible': '➖', 'backend-limit': '⛔', 'unexpected-pass': '⚠️' };
const TARGET_NAMES = { emulator: 'the emulator', gateway: 'the emulator in gateway mode over MinIO', minio: 'MinIO', external: 'the external endpoint' };

const escapeCell = (text) => String(text).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const oneLine = (text, max = 400) => {
  const flat = escapeCell(text);
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

function columnsOf(results) {
  const seen = new Set(results.map((r) => `${r.sdk} ${r.transport}`));
  const columns = [];
  for (const sdk of SDK_ORDER) for (const transport of ['http', 'https']) if (seen.has(`${sdk} ${transport}`)) columns.push({ sdk, transport });
  return columns;
}

const keyOf = (r) => `${r.scenario} ${r.sdk} ${r.transport}`;
const runName = (r) => `${SDK_NAMES[r.sdk]} ${r.transport}`;

/** The shortest detail of a group of runs: the clearest example of what they share. */
const example = (runs) => runs.map((r) => r.detail).reduce((a, b) => (b.length < a.length ? b : a));

/** Groups results by a key, keeping first-seen order. */
function groupBy(items, keyFn) {
  const groups = new Map();
  for (const item of items) {
    const key = keyFn(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

function versionsLine(results) {
  const bySdk = new Map();
  for (const r of results) if (r.sdkVersion && r.sdkVersion !== 'unknown') bySdk.set(r.sdk, r.sdkVersion);
  return SDK_ORDER.filter((s) => bySdk.has(s))
    .map((s) => `**${SDK_NAMES[s]}**: ${bySdk.get(s)}`)
    .join(' · ');
}

function matrixSection(kind, summary, catalogue, withReasons) {
  const { results } = summary;
  const columns = columnsOf(results);
  const byKey = new Map(results.map((r) => [keyOf(r), r]));
  const lines = [];
  const counts = { pass: 0, fail: 0, 'not-expressible': 0, 'backend-limit': 0, 'unexpected-pass': 0 };
  for (const r of results) counts[r.outcome] += 1;
  const declared =
    (counts['backend-limit'] ? `, ${counts['backend-limit']} backend limit` : '') +
    (counts['unexpected-pass'] ? `, ${counts['unexpected-pass']} declared backend limit passed` : '');
  lines.push(`## Against ${TARGET_NAMES[kind]}${summary.targetVersion ? ` (${summary.targetVersion})` : ''}`, '');
  lines.push(`Run ${summary.generatedAt}: ${counts.pass} pass, ${counts.fail} fail, ${counts['not-expressible']} not expressible${declared}.`, '');
  lines.push(`SDK versions: ${versionsLine(results)}`, '');
  lines.push(`| scenario | IAM action | ${columns.map((c) => `${SDK_NAMES[c.sdk]} ${c.transport}`).join(' | ')} |`);
  lines.push(`|---|---|${columns.map(() => ':-:').join('|')}|`);
  for (const scenario of catalogue) {
    const cells = columns.map((c) => MARK[byKey.get(`${scenario.id} ${c.sdk} ${c.transport}`)?.outcome] ?? ' ');
    const id = scenario.smllOnly ? `${scenario.id} (SMLL rule)` : scenario.id;
    lines.push(`| ${id} | ${scenario.actions.join(', ')} | ${cells.join(' | ')} |`);
  }
  const legend = ['✅ pass', '❌ fail', '➖ not expressible with that SDK (reason below)'];
  if (counts['backend-limit']) legend.push('⛔ backend limit: the backend cannot hold what the scenario needs (declared, reason below; not a failure)');
  if (counts['unexpected-pass']) legend.push('⚠️ declared a backend limit but passed (a failure: the declaration is stale)');
  lines.push('', `Legend: ${legend.join(' · ')}.`, '');
  lines.push(...flowsTable(results, byKey));

  // The natively built clients' own flows (upload, list, read back, delete; a backup and a restore).
  const flows = results.filter((r) => r.scenario === 'native-flow');
  if (flows.length) {
    lines.push('### Native flows', '', 'Each client doing what its users do with it, configured as its own documentation says for a custom endpoint.', '');
    lines.push('| client | transport | outcome | what ran (or what failed) |', '|---|---|:-:|---|');
    for (const sdk of SDK_ORDER) {
      for (const r of flows.filter((f) => f.sdk === sdk)) lines.push(`| ${SDK_NAMES[sdk]} | ${r.transport} | ${MARK[r.outcome]} | ${oneLine(r.detail)} |`);
    }
    lines.push('');
  }

  const reasons = new Map();
  for (const r of results) {
    if (r.outcome !== 'not-expressible') continue;
    const key = `${r.scenario}\u0000${r.sdk}`;
    reasons.set(key, { scenario: r.scenario, sdk: r.sdk, detail: r.detail });
  }
  if (reasons.size && !withReasons) {
    lines.push('Not expressible: for the reasons given under the emulator.', '');
  } else if (reasons.size) {
    lines.push('### Not expressible', '');
    for (const { scenario, sdk, detail } of reasons.values()) lines.push(`- **${scenario}**, ${SDK_NAMES[sdk]}: ${oneLine(detail)}`);
    lines.push('');
  }
  lines.push(...limitsList(results));
  const failures = results.filter((r) => r.outcome === 'fail');
  if (failures.length) {
    lines.push('### Failures', '');
    for (const [scenario, runs] of groupBy(failures, (r) => r.scenario)) {
      lines.push(`- **${scenario}** (${runs.map(runName).join(', ')}): ${oneLine(example(runs))}`);
    }
    lines.push('');
  }
  return lines;
}

/** Runs of scenarios declared beyond the backend (run.mjs BACKEND_LIMITS): those it refused, and any that passed. */
function limitsList(results) {
  const lines = [];
  const sections = [
    ['backend-limit', '### Backend limits', 'Declared in `BACKEND_LIMITS` (test/conformance/run.mjs) and refused by the backend as declared; not counted as failures.'],
    ['unexpected-pass', '### Declared backend limits that passed', 'Failures: the backend held what `BACKEND_LIMITS` says it cannot, so the declaration is stale.'],
  ];
  for (const [outcome, heading, what] of sections) {
    const runs = results.filter((r) => r.outcome === outcome);
    if (!runs.length) continue;
    lines.push(heading, '', what, '');
    for (const [scenario, group] of groupBy(runs, (r) => r.scenario)) {
      const { backend, reason, readme } = group[0].limit;
      const seen = outcome === 'backend-limit' ? ` For example: ${oneLine(example(group), 300)}` : '';
      lines.push(`- **${scenario}** (${group.map(runName).join(', ')}): ${reason} (a ${backend} limit: [README](../../${readme})).${seen}`);
    }
    lines.push('');
  }
  return lines;
}

/** The clients' own native flows, for the clients that report them. */
function flowsTable(results, byKey) {
  const flowResults = results.filter((r) => r.scenario.startsWith('flow-'));
  if (!flowResults.length) return [];
  const columns = columnsOf(flowResults);
  const lines = ['### Client flows', '', "Each client's own way of working with files, beside the catalogue above.", ''];
  lines.push(`| flow | what | ${columns.map((c) => `${SDK_NAMES[c.sdk]} ${c.transport}`).join(' | ')} |`);
  lines.push(`|---|---|${columns.map(() => ':-:').join('|')}|`);
  const known = Object.keys(FLOWS);
  const order = (id) => (known.includes(id) ? known.indexOf(id) : known.length);
  for (const id of [...new Set(flowResults.map((r) => r.scenario))].sort((a, b) => order(a) - order(b))) {
    const cells = columns.map((c) => MARK[byKey.get(`${id} ${c.sdk} ${c.transport}`)?.outcome] ?? ' ');
    lines.push(`| ${id} | ${FLOWS[id] ?? ''} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

/** Where the emulator and another implementation agree or differ, scenario by scenario. */
function differentialSection(kind, emulator, other, catalogue) {
  const lines = [`## Differential: the emulator vs ${TARGET_NAMES[kind]}`, ''];
  lines.push(
    `Emulator run ${emulator.generatedAt}; ${TARGET_NAMES[kind]} run ${other.generatedAt}${other.targetVersion ? ` (${other.targetVersion})` : ''}. ` +
      'The same runners, scenarios and transports; a cell agrees when both gave the same outcome. ' +
      "Rows marked *SMLL rule* check SMLL's permission rules, which only the emulator is expected to enforce.",
    '',
  );
  if (other.targetNotes) lines.push(other.targetNotes, '');
  lines.push('| scenario | verdict | where they differ |', '|---|---|---|');
  const emulatorByKey = new Map(emulator.results.map((r) => [keyOf(r), r]));
  let agreeRows = 0;
  const differing = { general: [], smll: [], limits: [] };
  for (const scenario of catalogue) {
    const pairs = other.results
      .filter((r) => r.scenario === scenario.id)
      .map((r) => ({ theirs: r, ours: emulatorByKey.get(keyOf(r)) }))
      .filter((p) => p.ours);
    const differ = pairs.filter((p) => p.ours.outcome !== p.theirs.outcome);
    const outcomes = [...new Set(pairs.map((p) => p.ours.outcome))];
    let verdict;
    if (pairs.length === 0) verdict = 'not run on both';
    else if (differ.length === 0) verdict = `agree (${outcomes.map((o) => MARK[o]).join(' ')} on ${pairs.length} runs)`;
    else verdict = `**differ** on ${differ.length} of ${pairs.length} runs`;
    const onlyLimits = differ.length > 0 && differ.every((p) => p.theirs.outcome === 'backend-limit');
    if (differ.length) differing[scenario.smllOnly ? 'smll' : onlyLimits ? 'limits' : 'general'].push(scenario.id);
    else if (pairs.length) agreeRows += 1;
    if (scenario.smllOnly) verdict = `emulator-only (SMLL rule): ${verdict}`;
    // Runs that differ the same way are one line, with the clearest detail as the example.
    const where = [...groupBy(differ, (p) => `${p.ours.outcome} ${p.theirs.outcome}`).values()]
      .map((group) => {
        const { ours, theirs } = group[0];
        const failing = ['fail', 'backend-limit'].includes(theirs.outcome) ? group.map((p) => p.theirs) : ours.outcome === 'fail' ? group.map((p) => p.ours) : [];
        const runs = group.length === pairs.length ? `all ${group.length} runs` : group.map((p) => runName(p.theirs)).join(', ');
        return (
          `emulator ${MARK[ours.outcome]}, ${TARGET_NAMES[kind]} ${MARK[theirs.outcome]} on ${runs}` +
          (failing.length ? `, e.g. ${failing[0] === theirs ? '' : 'emulator: '}${oneLine(example(failing), 200)}` : '')
        );
      })
      .join('<br>');
    lines.push(`| ${scenario.id} | ${verdict} | ${where} |`);
  }
  const summaryLine =
    `${agreeRows} scenarios agree on every run. ` +
    (differing.general.length ? `Differ: ${differing.general.map((id) => `\`${id}\``).join(', ')}. ` : 'No other scenario differs. ') +
    (differing.limits.length ? `Declared backend limits (not failures): ${differing.limits.map((id) => `\`${id}\``).join(', ')}. ` : '') +
    (differing.smll.length ? `SMLL permission rules, as expected not enforced there: ${differing.smll.map((id) => `\`${id}\``).join(', ')}.` : '');
  lines.splice(2, 0, summaryLine, '');
  lines.push('');
  return lines;
}

export function renderMatrix({ catalogue, summaries }) {
  const lines = [
    '# SDK conformance matrix',
    '',
    'Generated by `npm run conformance` (test/conformance/run.mjs) from fixtures/conformance/scenarios.json: do not edit by hand.',
    'Each stock SDK, configured as SMLL documents it, runs every scenario it can express over plain http and over https',
    '(the emulator with `--tls`), each run against a fresh emulator started through its CLI.',
    '',
  ];
  for (const kind of ['emulator', 'gateway', 'minio', 'external']) {
    if (summaries[kind]) lines.push(...matrixSection(kind, summaries[kind], catalogue, kind === 'emulator' || !summaries.emulator));
  }
  for (const kind of ['gateway', 'minio', 'external']) {
    if (summaries.emulator && summaries[kind]) lines.push(...differentialSection(kind, summaries.emulator, summaries[kind], catalogue));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
