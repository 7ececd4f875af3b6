/**
 * Compares Apache Velocity's renderings (VtlRender.java) with velocityjs's (cases.ts): the same JSON value (numbers
 * may be written differently: Java writes 1.733561234567E9) or, for a text that is not JSON, the same text; the same
 * status override. Every rendering must be JSON. Prints a line per difference and exits non-zero on any.
 *
 *   npx ts-node -P test/tsconfig.json test/velocity/compare.ts <cases.json> <rendered.json>
 */
import * as fs from 'fs';
import { isDeepStrictEqual } from 'util';

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Array<{ name: string; expected: { text: string; status?: number } }>;
const rendered = JSON.parse(fs.readFileSync(process.argv[3], 'utf8')) as Array<{ text?: string; status?: number | null; error?: string }>;
const parse = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try { return { ok: true, value: JSON.parse(text) }; } catch { return { ok: false }; }
};
let failures = 0;
cases.forEach((c, i) => {
  const r = rendered[i];
  const fail = (why: string) => { failures++; process.stdout.write(`DIFFERS  ${c.name}: ${why}\n`); };
  if (!r || r.error !== undefined || r.text === undefined) return fail(`Velocity refused it: ${r?.error}`);
  const [js, java] = [parse(c.expected.text), parse(r.text)];
  if (!js.ok) return fail(`velocityjs rendered no JSON:\n${c.expected.text}`);
  if (!java.ok) return fail(`Velocity rendered no JSON:\n${r.text}`);
  if (!isDeepStrictEqual(js.value, java.value)) return fail(`velocityjs: ${JSON.stringify(js.value)}\n         Velocity:   ${JSON.stringify(java.value)}`);
  if ((c.expected.status ?? null) !== (r.status ?? null)) return fail(`status ${c.expected.status} vs ${r.status}`);
  process.stdout.write(`same     ${c.name}\n`);
});
process.stdout.write(`velocity: ${cases.length - failures} of ${cases.length} templates x requests rendered the same JSON by Apache Velocity 1.7 and velocityjs\n`);
process.exit(failures ? 1 : 0);
