/**
 * `npx ts-node -P test/tsconfig.json scripts/dashboard-picture.ts`: writes docs/images/platform-dashboard.svg, a
 * picture of the platform dashboard rendered from its dashboard body (the `DashboardBody` a `BatchPlatform` with
 * `platformDashboard: true` synthesizes), not a console screenshot: one box per widget at its grid place, with its
 * title and what it reads (metrics, the Logs Insights query's first line, or the text).
 *
 * test/platform-dashboard.test.ts fails when the committed picture differs from what this script renders.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BatchPlatform } from '../src';

export const PICTURE_FILE = path.join(__dirname, '..', 'docs', 'images', 'platform-dashboard.svg');
export const PICTURE_LABEL = 'Rendered from the dashboard body, not a console screenshot';

/** A widget of a dashboard body. */
interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly [key: string]: any };
}

const COLUMN = 56;
const ROW = 34;
const TOP = 40;

/** The dashboard body of a default platform with the dashboard on; tokens read `{ref}`. */
export function sampleDashboardBody(): { widgets: Widget[] } {
  const stack = new cdk.Stack(new cdk.App(), 'Picture', { env: { account: '123456789012', region: 'us-east-1' } });
  new BatchPlatform(stack, 'Platform', { platformDashboard: true });
  const dashboard = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0];
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map(p => typeof p === 'string' ? p : '{ref}').join('');
  return JSON.parse(text);
}

/** What a widget reads, in a few short lines. */
function contents(w: Widget): string[] {
  if (w.type === 'text') return String(w.properties.markdown).split('\n').slice(1).map(l => l.replace(/\*\*/g, ''));
  if (w.type === 'log') {
    const query = String(w.properties.query).replace(/^SOURCE '[^']*' \| /, '');
    return ['Logs Insights over the run events:', ...query.split('\n').map(l => l.trim())];
  }
  const metrics = (w.properties.metrics ?? []) as unknown[][];
  return metrics.map(m => {
    const expression = m.find((x): x is { expression: string } => typeof x === 'object' && x !== null && 'expression' in x);
    if (expression) return `= ${expression.expression.replace(/SEARCH\('\{([^,]+),[^}]*\} MetricName="(\w+)"[^)]*\)/g, '$1 $2')}`;
    const strings = m.filter((x): x is string => typeof x === 'string' && x !== '.');
    const options = m.find((x): x is { stat?: string; region?: string } => typeof x === 'object' && x !== null);
    return `${strings[0]} ${strings[1]}${options?.stat ? ` (${options.stat})` : ''}`;
  });
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Cuts a line to what fits in `width` grid columns (about 6.4 px a character at 11 px). */
function fit(text: string, width: number): string {
  const max = Math.floor((width * COLUMN - 16) / 6.4);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The SVG of a dashboard body: a 24-column grid, one box per widget. */
export function renderDashboardSvg(body: { widgets: Widget[] }): string {
  const bottom = Math.max(...body.widgets.map(w => w.y + w.height));
  const width = 24 * COLUMN;
  const height = TOP + bottom * ROW + 10;
  const boxes = body.widgets.map(w => {
    const [x, y, wpx, hpx] = [w.x * COLUMN + 4, TOP + w.y * ROW + 4, w.width * COLUMN - 8, w.height * ROW - 8];
    const title = w.properties.title ?? String(w.properties.markdown ?? '').split('\n')[0].replace(/^#+ /, '');
    const lines = contents(w).slice(0, Math.max(0, Math.floor((hpx - 34) / 14)));
    return [
      `  <g class="widget ${escape(w.type)}">`,
      `    <rect x="${x}" y="${y}" width="${wpx}" height="${hpx}" rx="4" fill="#ffffff" stroke="#c6c6cd"/>`,
      `    <text x="${x + 8}" y="${y + 18}" font-size="11" font-weight="bold" fill="#16191f">${escape(title)}</text>`,
      ...lines.map((l, i) => `    <text x="${x + 8}" y="${y + 36 + i * 14}" font-size="11" fill="#545b64">${escape(fit(l, w.width))}</text>`),
      '  </g>',
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `  <rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    `  <text x="8" y="24" font-size="14" font-weight="bold" fill="#16191f">Platform dashboard (PlatformDashboard) — ${PICTURE_LABEL}</text>`,
    ...boxes,
    '</svg>',
    '',
  ].join('\n');
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(PICTURE_FILE), { recursive: true });
  fs.writeFileSync(PICTURE_FILE, renderDashboardSvg(sampleDashboardBody()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), PICTURE_FILE)}\n`);
}
