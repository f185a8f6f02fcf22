/**
 * `npm run bench`: parse+classify throughput of the letter engine on one core (this
 * process's single thread) over every fixture: letters per second, p50/p99 milliseconds per
 * letter and peak RSS. The last line is a JSON object of those figures.
 * `--seconds N` sets how long to measure (default 5).
 */
import { parseArgs } from 'node:util';
import { classifyLetter } from '../functions/domain/index.ts';
import { loadGoldenLetters } from '../test/fixtures/golden.ts';
import { variantsOf } from '../test/fixtures/variants.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);

const texts = loadGoldenLetters().flatMap(variantsOf).map((variant) => variant.text);
const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);

for (let i = 0; i < 2000; i++) classifyLetter(texts[i % texts.length]!);

const samples: number[] = [];
const started = performance.now();
let index = 0;
while (performance.now() - started < seconds * 1000) {
  const text = texts[index++ % texts.length]!;
  const t0 = performance.now();
  classifyLetter(text);
  samples.push(performance.now() - t0);
}
const elapsed = (performance.now() - started) / 1000;
samples.sort((a, b) => a - b);
const quantile = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
const figures = {
  lettersPerSecond: Math.round(samples.length / elapsed),
  p50Ms: Number(quantile(0.5).toFixed(3)),
  p99Ms: Number(quantile(0.99).toFixed(3)),
  rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(`letter engine, one core: ${texts.length} fixtures (${(bytes / texts.length / 1024).toFixed(1)} KB mean), ${samples.length} letters in ${elapsed.toFixed(1)} s`);
console.log(`  ${figures.lettersPerSecond} letters/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, peak RSS ${figures.rssMb} MB`);
console.log(JSON.stringify(figures));
