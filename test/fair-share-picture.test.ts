/**
 * docs/fair-share.md: the picture is what scripts/fair-share-picture.ts renders, and the table's numbers are the
 * simulation's. Regenerate with `ts-node -P test/tsconfig.json scripts/fair-share-picture.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { clock, renderSvg, SCENARIOS, simulate } from '../scripts/fair-share-picture';

const ROOT = path.join(__dirname, '..');
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'fair-share.md'), 'utf-8');

test('docs/fair-share.svg is current', () => {
  expect(fs.readFileSync(path.join(ROOT, 'docs', 'fair-share.svg'), 'utf-8')).toBe(renderSvg());
});

test('the doc links the picture', () => {
  expect(doc).toContain('](fair-share.svg)');
});

const wait = (minutes: number) => (minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`);

test.each(SCENARIOS.map((s, i) => [i, s.title]))('the table row of scenario %d (%s) is the simulation\'s', i => {
  const o = simulate(SCENARIOS[i]);
  const rows = doc.split('\n').filter(l => /^\| (First in|`fairShare`,)/.test(l));
  expect(rows).toHaveLength(3);
  const cells = rows[i].split('|').map(c => c.trim());
  expect(cells.slice(2, 5)).toEqual([wait(o.reportingWait), clock(o.done.reporting), clock(o.done.science)]);
});

test('fair share shortens the report\'s wait, and the cap trades the backfill\'s speed for it', () => {
  const [fifo, fair, capped] = SCENARIOS.map(s => simulate(s));
  expect(fair.reportingWait).toBeLessThan(fifo.reportingWait);
  expect(capped.reportingWait).toBe(0);
  expect(capped.done.science).toBeGreaterThan(fair.done.science);
  expect(Math.max(...capped.use.science)).toBe(8);
});
