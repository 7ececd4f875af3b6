/**
 * The picture of docs/fair-share.md: two teams on one 16-vCPU platform over a day, first in first out, with fair
 * share, and with fair share and a cap on one team. A small deterministic simulation of the scheduling rules the doc
 * describes (not of AWS Batch itself): every minute, finished jobs free their vCPUs, then waiting jobs start while
 * they fit, in queue order (FIFO: the earliest submitted first) or by share (fair share: the team with the least
 * vCPUs per weight first, then its earliest job), never past a team's cap. test/fair-share-picture.test.ts checks
 * that docs/fair-share.svg is what this renders and that the doc's numbers are the simulation's.
 *
 * Usage: ts-node -P test/tsconfig.json scripts/fair-share-picture.ts   (writes docs/fair-share.svg)
 */
import * as fs from 'fs';
import * as path from 'path';

/** The platform's vCPUs. */
export const PLATFORM_VCPUS = 16;
const DAY_MINUTES = 24 * 60;

interface Job { readonly team: Team; readonly vcpus: number; readonly minutes: number; readonly submitted: number }
type Team = 'science' | 'reporting';

/** When reporting submits its report: 02:20. */
export const REPORT_AT = 140;

/**
 * A day's work: science's backfill at midnight (40 jobs of 4 vCPUs for 1 hour), reporting's report at 02:20 (4 jobs of
 * 2 vCPUs for 30 minutes).
 */
export const WORK: readonly Job[] = [
  ...Array.from({ length: 40 }, () => ({ team: 'science' as Team, vcpus: 4, minutes: 60, submitted: 0 })),
  ...Array.from({ length: 4 }, () => ({ team: 'reporting' as Team, vcpus: 2, minutes: 30, submitted: REPORT_AT })),
];

export interface Scenario {
  readonly title: string;
  readonly fairShare: boolean;
  /** vCPU caps per team. */
  readonly caps: { readonly [team: string]: number };
}

export const SCENARIOS: readonly Scenario[] = [
  { title: 'First in, first out (no fairShare)', fairShare: false, caps: {} },
  { title: 'fairShare, equal weights', fairShare: true, caps: {} },
  { title: 'fairShare, science capped at 8 vCPUs', fairShare: true, caps: { science: 8 } },
];

export interface Outcome {
  /** vCPUs each team holds, minute by minute. */
  readonly use: { readonly [team: string]: number[] };
  /** Minute each team's last job ended. */
  readonly done: { readonly [team: string]: number };
  /** Minutes the report's first job waited in RUNNABLE. */
  readonly reportingWait: number;
}

export function simulate(s: Scenario, work: readonly Job[] = WORK): Outcome {
  const waiting = work.map((job, order) => ({ ...job, order }));
  const running: { job: Job; ends: number }[] = [];
  const use: { [team: string]: number[] } = { science: [], reporting: [] };
  const done: { [team: string]: number } = {};
  let reportingStart: number | undefined;
  const held = (team: string) => running.filter(r => r.job.team === team).reduce((n, r) => n + r.job.vcpus, 0);
  for (let t = 0; t < DAY_MINUTES; t++) {
    for (const r of running.filter(x => x.ends === t)) {
      running.splice(running.indexOf(r), 1);
      done[r.job.team] = t;
    }
    for (;;) {
      const free = PLATFORM_VCPUS - running.reduce((n, r) => n + r.job.vcpus, 0);
      const fits = waiting.filter(j => j.submitted <= t && j.vcpus <= free && held(j.team) + j.vcpus <= (s.caps[j.team] ?? Infinity));
      if (fits.length === 0) break;
      // Fair share: the team with the fewest vCPUs held (equal weights), then queue order; FIFO: queue order.
      const next = s.fairShare ? [...fits].sort((a, b) => held(a.team) - held(b.team) || a.order - b.order)[0] : fits[0];
      waiting.splice(waiting.indexOf(next), 1);
      running.push({ job: next, ends: t + next.minutes });
      if (next.team === 'reporting' && reportingStart === undefined) reportingStart = t;
    }
    for (const team of Object.keys(use)) use[team].push(held(team));
  }
  return { use, done, reportingWait: (reportingStart ?? DAY_MINUTES) - REPORT_AT };
}

/** `HH:MM` of a minute of the day. */
export function clock(minute: number): string {
  if (minute >= DAY_MINUTES) return minute === DAY_MINUTES ? '24:00' : 'not today';
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const COLORS: { [team: string]: string } = { science: '#4878a8', reporting: '#e08a2c' };
const PANEL = { left: 60, width: 720, height: 96, gap: 46, top: 40 };

export function renderSvg(): string {
  const perMinute = PANEL.width / DAY_MINUTES;
  const perVcpu = PANEL.height / PLATFORM_VCPUS;
  const height = PANEL.top + SCENARIOS.length * (PANEL.height + PANEL.gap) + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL.left + PANEL.width + 20}" height="${height}" `
      + 'font-family="sans-serif" font-size="12">',
    '<title>Two teams on one 16-vCPU platform over a day: first in first out, fair share, fair share with a cap</title>',
    legend(PANEL.left, 'science', 'science: backfill at 00:00, 40 jobs × 4 vCPUs × 1 h'),
    legend(PANEL.left + 330, 'reporting', 'reporting: report at 02:20, 4 jobs × 2 vCPUs × 30 min'),
  ];
  SCENARIOS.forEach((s, i) => {
    const top = PANEL.top + i * (PANEL.height + PANEL.gap) + 16;
    const base = top + PANEL.height;
    const o = simulate(s);
    const heading = `${s.title}: report done ${clock(o.done.reporting)}, backfill done ${clock(o.done.science)}`;
    out.push(`<text x="${PANEL.left}" y="${top - 4}" font-weight="bold">${heading}</text>`);
    out.push(`<rect x="${PANEL.left}" y="${top}" width="${PANEL.width}" height="${PANEL.height}" fill="none" stroke="#999"/>`);
    // Runs of equal use become one rectangle each: science at the bottom, reporting on top.
    for (const [team, below] of [['science', () => 0], ['reporting', (m: number) => o.use.science[m]]] as const) {
      let start = 0;
      for (let m = 1; m <= DAY_MINUTES; m++) {
        const same = m < DAY_MINUTES && o.use[team][m] === o.use[team][start] && below(m) === below(start);
        if (same) continue;
        const v = o.use[team][start];
        if (v > 0) {
          const y = base - (below(start) + v) * perVcpu;
          const x = fmt(PANEL.left + start * perMinute);
          out.push(`<rect x="${x}" y="${fmt(y)}" width="${fmt((m - start) * perMinute)}" height="${fmt(v * perVcpu)}" fill="${COLORS[team]}"/>`);
        }
        start = m;
      }
    }
    for (let h = 0; h <= 24; h += 6) {
      out.push(`<text x="${fmt(PANEL.left + h * 60 * perMinute)}" y="${base + 14}" text-anchor="middle">${clock(h * 60)}</text>`);
    }
    out.push(`<text x="${PANEL.left - 6}" y="${top + 10}" text-anchor="end">${PLATFORM_VCPUS} vCPU</text>`);
    out.push(`<text x="${PANEL.left - 6}" y="${base}" text-anchor="end">0</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function legend(x: number, team: string, text: string): string {
  return `<rect x="${x}" y="8" width="12" height="12" fill="${COLORS[team]}"/><text x="${x + 16}" y="18">${text}</text>`;
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

if (require.main === module) {
  fs.writeFileSync(path.join(__dirname, '..', 'docs', 'fair-share.svg'), renderSvg());
}
