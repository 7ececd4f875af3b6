/**
 * Synthesizes every example stack in test/fixtures/*.ts into one cloud assembly, with the two in-process gates on:
 *  - aws-cdk-lib's built-in template validator ("CloudFormation Validate", on unless CDK_VALIDATION=false), and
 *  - the cdk-nag AwsSolutions pack, attached the cdk-nag 3 way: `Validations.of(app).addPlugins(...)`.
 *
 * How a finding surfaces (aws-cdk-lib 2.264 core/lib/private/synthesis-validation.js, cdk-nag 3.0.2 nag-pack.js):
 * cdk-nag reports violations to the CDK's policy-validation framework; after writing the templates the CDK writes
 * `<outdir>/validation-report.json` and then either throws (app mode "inmemory" - jest - or "unknown") or prints the
 * report and sets `process.exitCode = 1` (app mode "process", what we use here). Acknowledged findings
 * (`Validations.of(c).acknowledge({ id, reason })`) are taken out of the violations. The built-in validator's
 * errors are downgraded to warnings unless `@aws-cdk/core:validateAgainstDefaultRules` is set, so that report
 * alone does not fail a synth. This gate reads validation-report.json itself and fails on ANY remaining violation,
 * error or warning, of any plugin.
 *
 * CLI: npx ts-node --transpile-only -P test/tsconfig.json test/checkers/synth-fixtures.ts --outdir <dir> [--planted]
 *   --planted   synthesize only test/checkers/planted.ts (resources built to fail every gate)
 * Exit code: 0 when no violation remains, 1 otherwise. The templates are written either way, for cfn-lint and checkov.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { KNOWN_FALSE_POSITIVE_METADATA_KEY } from '../../src/private/nag';

/** The directory of the example stacks; every .ts file in it exports `stacks(app)`. */
export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');
/** The stacks built to fail every gate; only synthesized on purpose (`--planted`). */
export const PLANTED_FIXTURE = path.join(__dirname, 'planted.ts');
/** Why test/checkers/planted.ts fails: the one line its synth prints instead of the report. */
export const PLANTED_REASON = 'test/checkers/planted.ts (an open bucket, SSH open to the world) fails cdk-nag on purpose, to prove the gate fails';

/** One finding that remains after acknowledgements. */
export interface GateFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly constructPaths: string[];
}

/** One acknowledged finding, with the reason given for it. */
export interface Acknowledgement {
  readonly plugin: string;
  readonly rule: string;
  readonly reason: string;
  readonly constructPaths: string[];
}

export interface SynthFixturesOptions {
  /** Where the cloud assembly goes; emptied first. */
  readonly outdir: string;
  /** Fixture modules to load. @default every .ts file in test/fixtures */
  readonly fixtureFiles?: string[];
  /**
   * The fixtures fail the gates on purpose, for this reason: their report is not printed, one line says so instead.
   * @default - they must pass: the report is printed when it has a finding
   */
  readonly plantedFailure?: string;
}

export interface SynthFixturesResult {
  readonly outdir: string;
  /** Absolute paths of the synthesized *.template.json files. */
  readonly templates: string[];
  /** The stack names, in order. */
  readonly stackNames: string[];
  /** Every violation left after acknowledgements; the gate passes only when this is empty. */
  readonly findings: GateFinding[];
  /** The findings acknowledged in code, with their reasons. */
  readonly acknowledgements: Acknowledgement[];
  /**
   * Template-validator findings on the library's own resources that the library records as false positives instead
   * of acknowledging them (aws-cdk-lib would apply the acknowledgement to the whole app; src/private/nag.ts). The
   * gate tolerates them on exactly those resources; the same rule on any other resource stays a finding.
   */
  readonly knownFalsePositives: Acknowledgement[];
}

/** Every fixture module in test/fixtures, sorted. */
export function fixtureFiles(dir: string = FIXTURES_DIR): string[] {
  return fs.readdirSync(dir)
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map(f => path.join(dir, f));
}

type FixtureModule = { stacks?: (app: cdk.App) => cdk.Stack[] };

/** Builds the fixture stacks into one app with cdk-nag attached, synthesizes it and reads the validation report. */
export function synthFixtures(options: SynthFixturesOptions): SynthFixturesResult {
  const files = options.fixtureFiles ?? fixtureFiles();
  if (files.length === 0) {
    throw new Error(`No fixture files found in ${FIXTURES_DIR}: there is nothing to check.`);
  }
  fs.rmSync(options.outdir, { recursive: true, force: true });

  const app = new cdk.App({
    outdir: options.outdir,
    // Same as ../consumers: no CDKMetadata resource in the templates.
    analyticsReporting: false,
    // Print the report and set process.exitCode instead of throwing, so that all templates are written and the
    // whole report is read here, whatever the caller (jest runs in "inmemory" mode otherwise).
    context: { '@aws-cdk/core:appMode': 'process' },
  });
  const stackNames: string[] = [];
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as FixtureModule;
    if (typeof mod.stacks !== 'function') {
      throw new Error(`${path.relative(process.cwd(), file)} must export 'function stacks(app: cdk.App): cdk.Stack[]'.`);
    }
    const built = mod.stacks(app);
    if (!Array.isArray(built) || built.length === 0) {
      throw new Error(`${path.relative(process.cwd(), file)}: stacks(app) returned no stack.`);
    }
    stackNames.push(...built.map(s => s.stackName));
  }
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const { assembly, printed } = synthCapturingReport(app);
  const templates = assembly.stacks.map(s => s.templateFullPath);
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  const report = readValidationReport(reportFile);
  const { findings, knownFalsePositives } = separateKnownFalsePositives(app, report.findings);
  if (options.plantedFailure !== undefined) {
    announcePlantedFailure(options.plantedFailure, findings.length, reportFile);
  } else if (findings.length > 0) {
    // A real finding: the report as aws-cdk-lib prints it. Known false positives alone print nothing.
    console.error(printed);
  }
  return { outdir: assembly.directory, templates, stackNames, findings, acknowledgements: report.acknowledgements, knownFalsePositives };
}

/**
 * `app.synth()` of an app in "process" mode, which prints its validation report with console.error and sets
 * process.exitCode: the report is returned instead of printed, and the exit code is put back (the verdict is the
 * caller's; a long-lived process such as jest must not inherit it). The report is also in validation-report.json.
 */
export function synthCapturingReport(app: cdk.App): { assembly: cdk.cx_api.CloudAssembly; printed: string } {
  const lines: string[] = [];
  const consoleError = console.error;
  const exitCodeBefore = process.exitCode;
  console.error = (...args: unknown[]) => { lines.push(args.map(String).join(' ')); };
  try {
    return { assembly: app.synth(), printed: lines.join('\n') };
  } finally {
    console.error = consoleError;
    process.exitCode = exitCodeBefore;
  }
}

/** The one line a fixture that fails on purpose prints instead of its report. */
export function announcePlantedFailure(reason: string, findings: number, reportFile: string): void {
  process.stderr.write(`[planted] ${reason}: ${findings} finding(s), as intended (report: ${reportFile})\n`);
}

/**
 * Splits off the findings the library recorded as known false positives: rule id `<plugin, spaces as hyphens>::<rule>`
 * recorded under KNOWN_FALSE_POSITIVE_METADATA_KEY on the very construct the finding is reported at.
 */
export function separateKnownFalsePositives(root: IConstruct, all: GateFinding[]):
{ findings: GateFinding[]; knownFalsePositives: Acknowledgement[] } {
  const known = new Map<string, string>(); // `${id} at ${path}` -> reason
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== KNOWN_FALSE_POSITIVE_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) known.set(`${id} at ${c.node.path}`, reason);
    }
  }
  const findings: GateFinding[] = [];
  const knownFalsePositives: Acknowledgement[] = [];
  for (const f of all) {
    const id = `${f.plugin.replace(/ /g, '-')}::${f.rule}`;
    const isKnown = (p: string) => known.has(`${id} at ${p}`);
    const rest = f.constructPaths.filter(p => !isKnown(p));
    const tolerated = f.constructPaths.filter(isKnown);
    if (tolerated.length > 0) {
      knownFalsePositives.push({ plugin: f.plugin, rule: f.rule, reason: known.get(`${id} at ${tolerated[0]}`)!, constructPaths: tolerated });
    }
    if (rest.length > 0 || f.constructPaths.length === 0) findings.push({ ...f, constructPaths: rest });
  }
  return { findings, knownFalsePositives };
}

interface ReportViolation {
  ruleName: string;
  description?: string;
  severity?: string;
  reason?: string;
  violatingConstructs?: { constructPath: string }[];
}
interface ReportPlugin {
  pluginName: string;
  violations?: ReportViolation[];
  suppressedViolations?: ReportViolation[];
}

/** Reads the CDK's validation-report.json; no file means no plugin reported anything. */
export function readValidationReport(file: string): { findings: GateFinding[]; acknowledgements: Acknowledgement[] } {
  if (!fs.existsSync(file)) return { findings: [], acknowledgements: [] };
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports?: ReportPlugin[] };
  const findings: GateFinding[] = [];
  const acknowledgements: Acknowledgement[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      findings.push({
        plugin: plugin.pluginName,
        rule: v.ruleName,
        severity: v.severity ?? 'error',
        description: v.description ?? '',
        constructPaths: (v.violatingConstructs ?? []).map(c => c.constructPath),
      });
    }
    for (const v of plugin.suppressedViolations ?? []) {
      acknowledgements.push({
        plugin: plugin.pluginName,
        rule: v.ruleName,
        reason: v.reason ?? '',
        constructPaths: (v.violatingConstructs ?? []).map(c => c.constructPath),
      });
    }
  }
  return { findings, acknowledgements };
}

/** One line per finding, for logs and test failure messages. */
export function formatFindings(findings: GateFinding[]): string {
  return findings.map(f => `${f.severity.toUpperCase()} [${f.plugin}] ${f.rule} at ${f.constructPaths.join(', ')}: ${f.description}`).join('\n');
}

function main(argv: string[]): number {
  const outIdx = argv.indexOf('--outdir');
  const outdir = outIdx >= 0 ? argv[outIdx + 1] : path.join(__dirname, '..', '..', '.tmp', 'checkers', 'cdk.out');
  const planted = argv.includes('--planted');
  if (process.env.CDK_VALIDATION === 'false') {
    console.error('[synth-fixtures] CDK_VALIDATION=false would switch the built-in template validator off; unset it.');
    return 1;
  }
  const result = synthFixtures({
    outdir,
    fixtureFiles: planted ? [PLANTED_FIXTURE] : undefined,
    plantedFailure: planted ? PLANTED_REASON : undefined,
  });
  console.log(`[synth-fixtures] ${result.templates.length} templates (${result.stackNames.join(', ')}) in ${path.relative(process.cwd(), result.outdir)}`);
  for (const a of result.acknowledgements) {
    console.log(`[synth-fixtures] acknowledged [${a.plugin}] ${a.rule} at ${a.constructPaths.join(', ')}: ${a.reason}`);
  }
  for (const k of result.knownFalsePositives) {
    console.log(`[synth-fixtures] known false positive (not acknowledged) [${k.plugin}] ${k.rule} at ${k.constructPaths.join(', ')}: ${k.reason}`);
  }
  if (result.acknowledgements.some(a => a.reason.trim().length < 10)) {
    console.error('[synth-fixtures] every acknowledgement needs a reason a reviewer can check');
    return 1;
  }
  if (result.findings.length > 0) {
    console.error(`[synth-fixtures] cdk-nag / template validation: ${result.findings.length} finding(s):\n${formatFindings(result.findings)}`);
    return 1;
  }
  console.log('[synth-fixtures] cdk-nag AwsSolutions and the built-in template validator: 0 findings');
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
