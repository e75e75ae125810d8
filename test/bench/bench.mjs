/**
 * `npm run bench [-- --workload W1,W3] [--target emulator,ceiling] [--reps 3] [--levels 20000,200000] [--smoke]`
 *
 * W5 (the web console in Chromium) measures the emulator alone and is skipped, with a note,
 * where there is no chromium.
 *
 * Starts every target itself, runs each workload on each in turn (the order rotating between
 * repetitions, so that drift on a shared machine hits all of them alike), and writes
 * latest.json / latest.md / latest.svg under test/bench/results/ (results/tmp/ for --smoke).
 */
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarise, writeReport } from './report.mjs';
import { TARGET_NAMES, describeTarget, installTargets, snapshotEmulator, startTarget } from './targets.mjs';
import { defineConsoleMetrics, runConsole } from './console.mjs';
import { defineListingMetrics, runInProcessStartup, runLargeObject, runListing, runNodeBaseline, runSmallObjects, seedListing } from './workloads.mjs';

const { values: flags } = parseArgs({
  options: {
    workload: { type: 'string', default: 'W1,W2,W3,W4,W5' },
    target: { type: 'string' },
    reps: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    /** W3's key counts, e.g. 5000,50000 for a quicker look. */
    levels: { type: 'string' },
    /** Seconds each target may take to seed a W3 level (default 300). */
    'seed-budget': { type: 'string' },
  },
});

const FULL = {
  repetitions: 3,
  w1: { count: 3000, concurrency: 32, size: 4096 },
  w2: { size: 1024 ** 3 },
  // A 200,000-key walk is 200 pages: the page cost is timed over the first 20 (a full walk at 20,000).
  w3: { levels: [20_000, 200_000], pageSize: 1000, maxPages: 20, seedBudgetSeconds: 300 },
  w4: { cliRepetitions: 5, inProcessRepetitions: 20 },
  // Navigations timed per figure (each in a fresh browser context).
  w5: { largeKeys: 200_000, repetitions: 9 },
  targets: TARGET_NAMES,
};
/** Seconds, not a measurement: proves that every workload runs end to end. */
const SMOKE = {
  repetitions: 1,
  w1: { count: 64, concurrency: 8, size: 4096 },
  w2: { size: 8 * 1024 ** 2 },
  w3: { levels: [300, 1500], pageSize: 100, maxPages: 10, seedBudgetSeconds: 60 },
  w4: { cliRepetitions: 1, inProcessRepetitions: 2 },
  w5: { largeKeys: 2000, repetitions: 2 },
  targets: ['emulator', 'ceiling'],
};

const config = flags.smoke ? SMOKE : FULL;
const repetitions = flags.reps ? Number(flags.reps) : config.repetitions;
if (flags.levels) config.w3.levels = flags.levels.split(',').map(Number);
if (flags['seed-budget']) config.w3.seedBudgetSeconds = Number(flags['seed-budget']);
const workloads = new Set(flags.workload.toUpperCase().split(','));
const targetNames = flags.target ? flags.target.split(',') : config.targets;
for (const name of targetNames) if (!TARGET_NAMES.includes(name)) throw new Error(`unknown target ${name}; known: ${TARGET_NAMES.join(', ')}`);
for (const w of workloads) if (!['W1', 'W2', 'W3', 'W4', 'W5'].includes(w)) throw new Error(`unknown workload ${w}; known: W1, W2, W3, W4, W5`);
if (workloads.has('W3')) defineListingMetrics(config.w3.levels, config.w3.pageSize, config.w3.maxPages);
if (workloads.has('W5')) defineConsoleMetrics(config.w5.largeKeys);

const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const targets = targetNames.map((name) => ({ ...describeTarget(name) }));
const samples = {};
const errors = [];
const notes = [];
const record = (values, name) => {
  for (const [id, value] of Object.entries(values)) ((samples[id] ??= {})[name] ??= []).push(value);
};
/** The targets in a different order each repetition. */
const rotated = (list, rep) => list.map((_, i) => list[(i + rep) % list.length]);
const usable = () => targets.filter((t) => !t.error).map((t) => t.name);

snapshotEmulator();
for (const [name, error] of Object.entries(installTargets(targetNames))) targets.find((t) => t.name === name).error = error;

if (workloads.has('W4')) {
  for (let rep = 0; rep < config.w4.cliRepetitions; rep++) {
    // The baseline in the same rotation, so that the machine's load at the moment weighs on it alike.
    for (const name of rotated(['node -e 0', ...usable()], rep)) {
      if (name === 'node -e 0') {
        // One spawn, shown in the columns of the two Node targets it is the floor of.
        const ms = await runNodeBaseline();
        for (const target of ['emulator', 'ceiling'].filter((t) => targetNames.includes(t))) record({ 'w4.nodeBaseline': ms }, target);
        continue;
      }
      try {
        const running = await startTarget(name);
        record({ 'w4.cli': running.startupMs }, name);
        await running.stop();
      } catch (err) {
        targets.find((t) => t.name === name).error = `start failed: ${err.message}`;
      }
    }
  }
  log(`W4 start-up measured (${config.w4.cliRepetitions} spawns each)`);
  if (targetNames.includes('emulator') || targetNames.includes('ceiling')) {
    const inProcess = await runInProcessStartup(config.w4.inProcessRepetitions);
    for (const name of ['emulator', 'ceiling']) {
      if (targetNames.includes(name)) for (const ms of inProcess[name]) record({ 'w4.inProcess': ms }, name);
    }
  }
}

const running = new Map();
if (['W1', 'W2', 'W3'].some((w) => workloads.has(w))) {
  for (const name of usable()) {
    try {
      running.set(name, await startTarget(name));
    } catch (err) {
      targets.find((t) => t.name === name).error = `start failed: ${err.message}`;
    }
  }
}

/** Runs `measure` on every running target, `repetitions` times, rotating the order. */
async function eachTarget(workload, reps, measure) {
  const failed = new Set();
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, target] of rotated([...running], rep)) {
      if (failed.has(name)) continue;
      try {
        record(await measure(target, rep), name);
      } catch (err) {
        failed.add(name);
        errors.push({ target: name, workload, error: err.message });
        log(`${workload} failed on ${name}: ${err.message}`);
      }
    }
  }
}

try {
  if (workloads.has('W1')) {
    await eachTarget('W1', repetitions, (target, rep) => runSmallObjects(target, { ...config.w1, tag: rep }, (line) => notes.push(line)));
    log('W1 small objects done');
  }
  if (workloads.has('W2')) {
    await eachTarget('W2', repetitions, (target, rep) => runLargeObject(target, { ...config.w2, tag: `large-${rep}` }));
    log('W2 large object done');
  }
  if (workloads.has('W3')) {
    let seeded = 0;
    for (const level of config.w3.levels) {
      const seconds = [];
      const errorsBefore = errors.length;
      await eachTarget(`W3 seeding to ${level}`, 1, async (target) => {
        const took = await seedListing(target, seeded, level, config.w3.seedBudgetSeconds);
        seconds.push(`${target.name} ${took.toFixed(1)} s`);
        return {};
      });
      // A target that could not be seeded leaves the listing (for this and every larger level).
      for (const { target } of errors.slice(errorsBefore)) {
        await running.get(target)?.stop();
        running.delete(target);
      }
      notes.push(`W3 seeding to ${level.toLocaleString('en-US')} keys (every target alike: presigned PUTs of empty objects, 64 in flight): ${seconds.join(', ')}.`);
      log(`W3 seeded ${level} keys`);
      seeded = level;
      const { pageSize, maxPages } = config.w3;
      await eachTarget(`W3 at ${level}`, repetitions, (target) => runListing(target, { level, pageSize, maxPages }));
      log(`W3 listing at ${level} keys done`);
    }
  }
} finally {
  for (const target of running.values()) await target.stopProcess();
}

// W5 after the others (its own emulator process: the other targets are stopped by now).
if (workloads.has('W5') && targetNames.includes('emulator')) {
  try {
    const result = await runConsole(config.w5, log);
    if (result.skipped) {
      notes.push(`W5 skipped: ${result.skipped}.`);
      log(`W5 skipped: ${result.skipped}`);
    } else {
      for (const [id, values] of Object.entries(result.samples)) for (const value of values) record({ [id]: value }, 'emulator');
      notes.push(
        `W5: headless Chromium against the emulator's CLI; each figure the median of ${config.w5.repetitions} navigations, each in a fresh browser context, timed by the page's clock from the navigation's start to the first frame after the view is in the DOM. The ${config.w5.largeKeys.toLocaleString('en-US')}-key bucket was seeded through the store in ${result.seconds.toFixed(1)} s (flat keys, so its first page is 100 objects, against 10 in the small bucket).`,
      );
      log('W5 console done');
    }
  } catch (err) {
    errors.push({ target: 'emulator', workload: 'W5', error: err.message });
    log(`W5 failed: ${err.message}`);
  }
}

const meta = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Linux ${os.release()} (shared with other work: compare ratios, not absolutes)`,
  node: process.versions.node,
  repetitions,
  smoke: flags.smoke,
  config: { ...config, targets: undefined },
  errors,
  notes: [
    'Load generator: one undici Pool per target and workload, keep-alive, SigV4 presigned URLs (UNSIGNED-PAYLOAD) computed before each timed batch; every response body read to its end.',
    'W2: the body is generated chunk by chunk (1 MiB) while it is sent, and the GET is checked by length and CRC-32; MB = 10^6 bytes. Peak RSS is the kernel high-water mark (VmHWM) of the server process, reset before the PUT.',
    'The ceiling computes the MD5 ETag of each PUT, as S3 requires, and nothing else.',
    ...notes,
  ],
};
const report = summarise({ samples, targets, meta });
const outDir = join(dirname(fileURLToPath(import.meta.url)), flags.smoke ? 'results/tmp' : 'results');
process.stdout.write(writeReport(report, outDir));
log(`written to ${outDir}`);
for (const target of running.values()) target.removeData();
const broken = flags.smoke ? [...targets.filter((t) => t.error), ...errors] : [];
if (broken.length) {
  log('smoke run failed: a target or workload did not run');
  process.exitCode = 1;
}
