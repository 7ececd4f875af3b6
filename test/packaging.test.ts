/**
 * A fresh clone packages as the README says: the package tasks compile first when there is no build (or an old one),
 * and `npm pack` without a build fails (npm's `prepack`) instead of packing no lib/ and no .jsii.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');

describe('package tasks compile first when the build is missing or old', () => {
  test.each(['js', 'java', 'python', 'go'])('package:%s starts with compile:if-stale', (target) => {
    expect(tasks[`package:${target}`].steps[0]).toEqual({ spawn: 'compile:if-stale' });
  });

  test('compile:if-stale compiles on the check script\'s word, and package-all runs every package task', () => {
    expect(tasks['compile:if-stale'].steps).toEqual([{ spawn: 'compile', condition: 'node scripts/check-build.js --stale' }]);
    expect(tasks['package-all'].steps.map((s: any) => s.spawn)).toEqual(['package:js', 'package:java', 'package:python', 'package:go']);
  });

  test('npm pack and npm publish run the check first (prepack)', () => {
    expect(packageJson.scripts.prepack).toBe('projen prepack');
    expect(tasks.prepack.steps).toEqual([{ exec: 'node scripts/check-build.js' }]);
  });

  test('the README says what package-all does from a fresh clone', () => {
    expect(readme).toContain('after `npm ci`, `npx projen package-all` compiles and builds all four packages into `dist/`');
  });
});

describe('scripts/check-build.js', () => {
  let dir: string;
  const check = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'scripts', 'check-build.js'), ...args], { encoding: 'utf8' });
  const write = (file: string, when: Date) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file.endsWith('.json') ? '{}' : 'x');
    fs.utimesSync(path.join(dir, file), when, when);
  };
  const earlier = new Date('2026-12-01T00:00:00Z');
  const later = new Date('2026-12-02T00:00:00Z');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-build-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(ROOT, 'scripts', 'check-build.js'), path.join(dir, 'scripts', 'check-build.js'));
    for (const f of ['src/index.ts', 'src/private/x.ts', 'package.json', 'README.md']) write(f, earlier);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a fresh clone (no lib/, no .jsii): pack refuses, naming what is missing and the command; the package tasks compile', () => {
    const pack = check();
    expect(pack.status).toBe(1);
    expect(pack.stderr).toContain("refusing to pack: .jsii, lib/index.js, lib/index.d.ts missing: nothing is compiled. Run 'npx projen compile'");
    expect(check('--stale').status).toBe(0);
  });

  test('a current build: pack goes ahead, the package tasks do not compile again', () => {
    for (const f of ['.jsii', 'lib/index.js', 'lib/index.d.ts']) write(f, later);
    expect(check().status).toBe(0);
    expect(check('--stale').status).toBe(1);
  });

  test('a source file (however deep) changed after the build: stale', () => {
    for (const f of ['.jsii', 'lib/index.js', 'lib/index.d.ts']) write(f, earlier);
    write('src/private/x.ts', later);
    const pack = check();
    expect(pack.status).toBe(1);
    expect(pack.stderr).toContain('src changed after the last compile');
    expect(check('--stale').status).toBe(0);
  });
});
