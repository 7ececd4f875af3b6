import { awscdk, javascript, release } from 'projen';

/**
 * The aws-cdk-lib floor, checked against each registry our users install from (2026-11-27):
 *  - npm and PyPI serve every 2.25x-2.27x release;
 *  - Maven Central serves the aws-cdk-lib JAR for 2.258.0, 2.260.0-2.263.0, 2.271.0 and 2.272.0 only
 *    (2.264.0-2.270.0 have a POM but no JAR);
 *  - the Go module proxy serves 2.258.0, 2.260.0-2.270.0 and 2.275.0.
 * Served everywhere: 2.258.0 and 2.260.0-2.263.0. Of those, 2.263.0 is the oldest that lets the unit tests switch off
 * the built-in template validator (`CDK_VALIDATION=false`, honoured since 2.263.0; it costs ~3.5 s per synth) while the
 * checker tests keep it on, and it has cdk-nag 3's `Validations.of(app).addPlugins(...)` (>= 2.258).
 * See docs/compatibility.md.
 */
const CDK_VERSION = '2.263.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-scheduled-batch',
  description:
    'One statement for a scheduled AWS Batch workload: Spot compute in private subnets, time-zone aware schedule with retries and DLQ, hardened ECR, logs, least-privilege IAM and alarms on metrics AWS really emits.',
  author: 'cdk-scheduled-batch maintainers',
  authorAddress: 'maintainers@cdk-scheduled-batch.dev',
  repositoryUrl: 'https://github.com/cdk-scheduled-batch/cdk-scheduled-batch.git',
  homepage: 'https://github.com/cdk-scheduled-batch/cdk-scheduled-batch',
  license: 'Apache-2.0',
  copyrightOwner: 'cdk-scheduled-batch maintainers',
  stability: 'experimental',
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'aws-batch', 'batch', 'spot', 'fargate', 'scheduler', 'eventbridge-scheduler', 'cron', 'ecr', 'vpc', 'cloudwatch-alarms'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: CDK_VERSION,
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.16',
  typescriptVersion: '~6.0.0',
  // No GitHub workflows: CI is .ci/run on a clean clone.
  github: false,
  // Releases are versioned and their CHANGELOG written by projen (`npx projen release`: conventional commits -> dist/changelog.md).
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual(),
  // commit-and-tag-version 13 needs Node 22; 12 runs on the Node 20 this project supports.
  bumpPackage: 'commit-and-tag-version@^12',
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,
  docgen: true,
  publishToPypi: {
    distName: 'cdk-scheduled-batch',
    module: 'cdk_scheduled_batch',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkscheduledbatch',
    mavenGroupId: 'io.github.cdkscheduledbatch',
    mavenArtifactId: 'cdk-scheduled-batch',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-scheduled-batch/cdk-scheduled-batch-go',
    // The name jsii-pacmak derives anyway; spelled out so that jsii-rosetta qualifies Go examples with it too (without
    // it rosetta derives the name itself and sometimes writes `*cdkscheduledbatch.X`, see scripts/rosetta-go.ts).
    packageName: 'cdkscheduledbatch',
  },
  devDeps: [
    'cdk-nag@3.0.2',
    'aws-cdk@^2.1100.0',
    // Integration-test apps assert a real run when deployed with an account (test/*.integ.ts).
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // Type-checks the Python translations of the README and API-doc examples against the wheel (test/examples/).
    'pyright@1.1.414',
    // Evaluates the run tracker's JSONata with the engine version Step Functions documents (2.0.6), in unit tests.
    'jsonata@2.0.6',
    // Check the run API's request model (JSON schema draft 4, as API Gateway reads it) and render its VTL templates.
    'ajv@8.20.0',
    'ajv-draft-04@1.0.0',
    'velocityjs@2.1.7',
  ],
  jestOptions: {
    // A run that finds no test is a failure, not a pass.
    passWithNoTests: false,
    // Snapshots must fail when they drift, never silently rewrite themselves.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
    },
  },
  gitignore: ['.jsii.tabl.json', 'cdk.out', '*.cdk.out', '.venv', '/.tmp', '/bench-results', '__pycache__/'],
  npmIgnoreOptions: { ignorePatterns: ['/.jsii.tabl.json', '/examples', '/scripts', '/.ci', '/docs/*.json', '/docs/api', '/.tmp', '/rosetta', '/bench-results'] },
  eslintOptions: {
    // projen's defaults, spelled out because eslintOptions replaces them.
    dirs: ['src'],
    devdirs: ['test', 'build-tools'],
    // `npx projen test` (and so .ci/run) checks and changes no file; `npx projen eslint --fix` fixes.
    commandOptions: { fix: false },
  },
  tsconfigDev: {
    include: ['examples/**/*.ts', 'scripts/**/*.ts'],
    compilerOptions: {},
  },
});

// Unit tests switch off aws-cdk-lib's built-in template validator (3.5 s and ~400 MB per synth);
// the checker tests (test/checkers.test.ts) turn it back on.
// The @types/node 'ts6.0' dist-tag projen asks for does not exist; pin the Node we run on.
project.deps.removeDependency('@types/node');
project.addDevDeps('@types/node@^20');

project.testTask.env('CDK_VALIDATION', 'false');

// The CLIs (src/cli/: the runs CLI with its subcommands, and the backfill on its own, docs/operations.md and
// docs/backfill.md): Node built-ins only, so the package keeps no runtime dependency; compiled by jsii like the rest of
// src/ but not exported from src/index.ts.
project.addBins({ 'cdk-scheduled-batch': 'lib/cli/runs.js', 'cdk-scheduled-batch-backfill': 'lib/cli/backfill.js' });
// Dependencies in src/ run one way: an import cycle fails the lint step of `npx projen test` (and test/architecture.test.ts).
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });
// jsii 6 prints an end-of-life banner on Node 20 (a warning only).
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// A fresh clone has no lib/ and no .jsii: every package task compiles first when the build is missing or older than
// src/, package.json or README.md (scripts/check-build.js; .ci/run compiles before packaging, so it does not compile
// twice), and `npm pack` / `npm publish` without a build fail loudly instead of packing neither.
const BUILD_CHECK = 'node scripts/check-build.js';
const compileIfStale = project.addTask('compile:if-stale', {
  description: 'Compile unless lib/ and .jsii exist and are newer than src/, package.json and README.md',
});
compileIfStale.spawn(project.compileTask, { condition: `${BUILD_CHECK} --stale` });
for (const target of ['js', 'java', 'python', 'go']) {
  project.tasks.tryFind(`package:${target}`)!.prependSpawn(compileIfStale);
}
project.addTask('prepack', {
  description: 'npm runs it before `npm pack` and `npm publish`: fails unless lib/ and .jsii are built and current',
  exec: BUILD_CHECK,
});

// The main job: synthesize the example app offline and print what it made (README, command 1).
project.addTask('example', {
  description: 'Synthesize the example app (examples/app.ts) offline and print its resources, alarms and idle cost',
  cwd: 'examples',
  exec: 'cdk synth --quiet --no-notices',
});

// The rendered state machines run in LocalStack's Step Functions interpreter under its Java JSONata port and
// jsonata-js 2.0.6, with AWS answers scripted per scenario (test/interpreter/README.md). Installs what it needs.
project.addTask('test:interpreter', {
  description: 'Run every rendered state machine in an independent Step Functions interpreter under two JSONata engines',
  exec: 'bash test/interpreter/run.sh',
});

// The run API's mapping templates rendered by Apache Velocity 1.7 (Java) and compared with velocityjs, the unit tests'
// engine (test/velocity/run.sh). Installs its JARs itself.
project.addTask('test:velocity', {
  description: 'Render the run API mapping templates with Apache Velocity 1.7 and compare with velocityjs',
  exec: 'bash test/velocity/run.sh',
});

// Benchmarks: synth time, footprint and idle cost against ScheduledFargateTask and hand-written L2 code (never a test).
project.addTask('bench', {
  description: 'Benchmark synth time, template footprint and idle cost (writes bench-results/*.json)',
  exec: 'ts-node -P test/tsconfig.json scripts/bench.ts',
  receiveArgs: true,
});

// The known keys of every struct, read from src/ (scripts/struct-keys.ts): constructors refuse a key a struct does not
// have (a misspelling, or a Python dict's snake_case key). test/struct-keys.test.ts fails when the file is stale.
project.addTask('struct-keys', {
  description: 'Regenerate src/private/struct-keys.generated.ts from the struct interfaces in src/',
  exec: 'ts-node -P test/tsconfig.json scripts/struct-keys.ts',
});

// README snippets must compile in every jsii language: in TypeScript here (rosetta --strict), translated to Python,
// Java and Go by test/examples/run.sh. rosetta's Go translator writes Go that does not compile; scripts/rosetta-go.ts
// re-renders the Go of the tablet (.jsii.tabl.json), which jsii-pacmak and jsii-docgen then publish.
const rosetta = project.addTask('rosetta', {
  description: 'Compile every TypeScript block of the README, docs/*.md and the API docs with jsii-rosetta --strict, and translate them (Go: scripts/rosetta-go.ts)',
  exec: 'jsii-rosetta extract --strict --fail',
});
// docs/*.md's TypeScript blocks too (extract reads only the README and the doc comments): scripts/rosetta-docs.ts.
rosetta.exec('ts-node --transpile-only -P test/tsconfig.json scripts/rosetta-docs.ts');
rosetta.exec('ts-node --transpile-only -P test/tsconfig.json scripts/rosetta-go.ts');

// The API reference per language (API.md is TypeScript's): signatures as each language spells them, examples from the
// tablet `npx projen rosetta` writes (so run it first). Not part of compile: it takes ~40 s of CPU. .ci/run checks
// that the committed files are current. Not packed: every language's package embeds the npm tarball.
// jsii-docgen's Go and Python listings are not Go or Python (`*f64`, `v2.aws_ecs.X`, `typing.Mapping[str]`):
// scripts/docgen-languages.ts runs jsii-docgen with corrected transpilers; test/examples/run.sh compiles the listings.
project.addTask('docgen:languages', {
  description: "Generate docs/api/API.{python,java,go}.md (run 'npx projen rosetta' first: the examples come from its tablet)",
  exec: 'ts-node --transpile-only -P test/tsconfig.json scripts/docgen-languages.ts',
});
project.gitattributes.addAttributes('/docs/api/*.md', 'linguist-generated');

// Integration-test snapshots: the templates are the contract. Metadata files and the validation report carry stack
// traces with absolute paths (aws-cdk-lib records them for acknowledgements whatever the context says), so they are
// neither committed nor compared; a snapshot then reads the same in every checkout. aws-cdk-lib writes
// performance-counters.json only when a synth is slow (a busy machine): a measurement, not part of the template.
const UNPORTABLE_SNAPSHOT_FILES = ['*.metadata.json', 'validation-report.json', 'performance-counters.json'];
// Build output of the consumer apps (added after construction: projen drops /test/ patterns given as options).
project.gitignore.exclude('test/consumers/*/target/', 'test/consumers/*/cdk.out/');
project.gitignore.exclude(...UNPORTABLE_SNAPSHOT_FILES.map(f => `test/*.integ.snapshot/${f}`));
// integ-tests-alpha salts every assertion call with the synth time (so it re-runs on each deploy): the assertion
// stacks (`*DeployAssert*`) are committed for reference but never compared; the stacks under test are.
const UNCOMPARED_SNAPSHOT_FILES = [...UNPORTABLE_SNAPSHOT_FILES, '*DeployAssert*'];
for (const task of project.tasks.all.filter(t => /^integ:.+:assert$/.test(t.name))) {
  const steps = task.steps;
  const diffIndex = steps.findIndex(step => step.execArgs?.[0] === 'diff');
  const diff = steps[diffIndex];
  const [command, ...args] = diff.execArgs!;
  task.updateStep(diffIndex, { ...diff, execArgs: [command, ...UNCOMPARED_SNAPSHOT_FILES.flatMap(f => ['-x', f]), ...args] });
}

// jsii-pacmak writes the cloud-assembly-schema version found in node_modules into the Go module's go.mod; the Go proxy
// serves the one aws-cdk-go v2.263.0 itself requires (v54.11.0), which aws-cdk-lib's `^54.11.0` range allows.
project.package.addField('overrides', { '@aws-cdk/cloud-assembly-schema': '54.11.0' });

project.synth();
