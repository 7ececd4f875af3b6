import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ts from 'typescript';
import { oneLinerStack } from './fixtures/workload';
import { RUNNABLE_TIME_LIMITS } from '../src/compute/batch-platform';
import { CostReport } from '../src/cost/cost-report';
import { VERIFICATION_LIMITS } from '../src/runs/private/verification-limits';
import { ScheduledBatchWorkload, ScheduledBatchWorkloadProps, WORKLOAD_DEFAULTS } from '../src/workload/scheduled-batch-workload';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README numbers come from the code', () => {
  test('job definition defaults', () => {
    expect(readme).toContain(`${WORKLOAD_DEFAULTS.cpu} vCPU, ${WORKLOAD_DEFAULTS.memory.toGibibytes()} GiB, user \`${WORKLOAD_DEFAULTS.user}\``);
    expect(readme).toContain(`${WORKLOAD_DEFAULTS.timeout.toHours()}-hour timeout, ${WORKLOAD_DEFAULTS.retryAttempts} attempts`);
  });

  test('schedule retry policy', () => {
    expect(readme).toContain(`${WORKLOAD_DEFAULTS.scheduleRetryAttempts} retries within ${WORKLOAD_DEFAULTS.scheduleMaxEventAge.toHours()} hour`);
  });

  test('log retention', () => {
    expect(WORKLOAD_DEFAULTS.logRetention).toBe(30);
    expect(readme).toContain(`log group, streams named after the job, ${WORKLOAD_DEFAULTS.logRetention} days`);
  });

  test('RUNNABLE time limits', () => {
    expect(readme).toContain(`stuck RUNNABLE on capacity after ${RUNNABLE_TIME_LIMITS.defaultCapacityWait.toHours()} hours `
      + `(${RUNNABLE_TIME_LIMITS.resourceRequirement.toMinutes()} minutes for an impossible resource request)`);
  });

  test('the aws-cdk-lib floor', () => {
    const projenrc = fs.readFileSync(path.join(root, '.projenrc.ts'), 'utf8');
    const floor = /const CDK_VERSION = '([^']+)'/.exec(projenrc)![1];
    expect(readme).toContain(`aws-cdk-lib floor (${floor})`);
  });

  test('the two commands on the first screen are projen tasks', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks;
    for (const [, task] of readme.matchAll(/npm ci && npx projen (\S+)/g)) {
      expect(tasks[task]).toBeDefined();
    }
    expect(readme.slice(0, 2500)).toMatch(/npx projen example/);
    expect(readme.slice(0, 2500)).toMatch(/npx projen test/);
  });

  test('deploy verification: 55 minutes of wait, the job\'s own attempts when they fit, else 15-minute attempts for the one-liner', () => {
    const flat = readme.replace(/\s+/g, ' ');
    const maxMinutes = VERIFICATION_LIMITS.maxTimeout.toMinutes();
    const marginMinutes = VERIFICATION_LIMITS.startMargin.toMinutes();
    expect({ maxMinutes, marginMinutes }).toEqual({ maxMinutes: 55, marginMinutes: 10 });
    expect(flat).toContain(`A deployment waits at most ${maxMinutes} minutes for the run`);
    expect(flat).toContain(`attempts x timeout plus ${marginMinutes} minutes to start`);
    // What the sentence promises, on synthesized workloads: the one-liner, and a job whose attempts fit.
    const verified = (props: Partial<ScheduledBatchWorkloadProps>) => new ScheduledBatchWorkload(new cdk.Stack(new cdk.App(), 'Verify'), 'W', {
      schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      verifyOnDeploy: true,
      ...props,
    }).verification!;
    const oneLiner = verified({});
    expect(flat).toContain(`${oneLiner.attemptTimeout!.toMinutes()} minutes for the one-liner's 3 attempts`);
    expect(oneLiner.timeout.toMinutes()).toBe(maxMinutes);
    const fits = verified({ timeout: cdk.Duration.minutes((maxMinutes - marginMinutes) / 3) });
    expect([fits.attemptTimeout, fits.timeout.toMinutes()]).toEqual([undefined, maxMinutes]);
  });

  test('CostReport: the one-liner\'s idle cost, its network part and its alarms, from a synthesized stack', () => {
    const flat = readme.replace(/\s+/g, ' ');
    const stack = oneLinerStack(new cdk.App());
    const workload = stack.node.findChild('NightlyReport') as ScheduledBatchWorkload;
    const alarms = workload.alarms!.node.findAll().filter(c => c instanceof cdk.aws_cloudwatch.CfnAlarm).length;
    const total = CostReport.of(stack).monthlyUsd;
    const alarmsUsd = CostReport.of(workload.alarms!).monthlyUsd;
    const network = Math.round((total - alarmsUsd) * 100) / 100;
    expect(flat).toContain(`the one-liner above costs $${total.toFixed(2)} a month idle, $${network.toFixed(2)} of it network (the NAT instance) `
      + `and $${alarmsUsd.toFixed(2)} its ${alarms} alarms`);
    expect(flat).toContain('CostReport.of(this)');
  });

  test('.ci/run calls the README test command', () => {
    expect(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/^stage test npx projen test$/m);
  });
});

describe('API docs are complete', () => {
  // Every optional prop of every exported props struct documents its default (API.md and every language's docs carry it).
  // Every public module, in its concern's folder (src/<concern>/*.ts; helpers under private/ and the CLI are not API).
  const files = [...fs.readFileSync(path.join(root, 'src', 'index.ts'), 'utf8').matchAll(/export \* from '\.\/([^']+)'/g)].map(m => `${m[1]}.ts`);
  const missing: string[] = [];
  let checked = 0;
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, 'src', file), 'utf8'), ts.ScriptTarget.Latest, true);
    source.forEachChild(node => {
      if (!ts.isInterfaceDeclaration(node) || !node.modifiers?.some(m => m.kind === ts.SyntaxKind.ExportKeyword)) return;
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        const jsdoc = ts.getJSDocCommentsAndTags(member).map(d => d.getText()).join('\n');
        checked++;
        const name = `${file}: ${node.name.text}.${member.name.getText()}`;
        if (!jsdoc.trim()) missing.push(`${name} has no documentation`);
        else if (member.questionToken && !/@default/.test(jsdoc)) missing.push(`${name} has no @default`);
      }
    });
  }
  test('every exported struct property is documented, and every optional one has @default', () => {
    expect(checked).toBeGreaterThan(80);
    expect(missing).toEqual([]);
  });
});
