import * as fs from 'fs';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, CostReport, Rollout, ROLLOUT_DEFAULTS, RunApi, RunTrackerProps, ScheduledBatchWorkload, UnitPrices } from '../src';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { roleId, roleStatements } from './support/iam';
import { CONTEXT, FAILED_JOB, trackerDefinition, trackerStack } from './support/run-fixture';
import { renderVtl } from './support/vtl';
import { runsToPromote, SLOW_ROLLOUT_WARNING_ID } from '../src/runs/private/rollout-store';

// Literal names from the AWS documentation (connect-ddb.html, connect-batch.html), not imported from src.
const GET_ITEM = 'arn:aws:states:::dynamodb:getItem';
const PUT_ITEM = 'arn:aws:states:::dynamodb:putItem';
const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
const LIST_DEFINITIONS = 'arn:aws:states:::aws-sdk:batch:describeJobDefinitions';
const DEREGISTER = 'arn:aws:states:::aws-sdk:batch:deregisterJobDefinition';
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
const ARN = (revision: number) => `arn:aws:batch:eu-west-2:123456789012:job-definition/nightly-report:${revision}`;

/** The tracker's definition as deployed with revision `revision` of its job definition (the fixture pins 7). */
function deployed(def: any, revision: number): any {
  return JSON.parse(JSON.stringify(def).split('job-definition/nightly-report:7').join(`job-definition/nightly-report:${revision}`));
}

/** A DynamoDB table of one item, as the optimized integrations see it, with its conditional put. */
class Store {
  public item?: Record<string, any>;
  public conflicts = 0;
  public readonly active = new Set<number>();
  public readonly deregistered: number[] = [];
  public value(attribute: string): string | number | undefined {
    const a = this.item?.[attribute];
    return a === undefined ? undefined : a.N !== undefined ? Number(a.N) : a.S;
  }
  public revision(attribute: string): number | undefined {
    const v = this.value(attribute) as string | undefined;
    return v ? Number(v.split(':')[6]) : undefined;
  }
}

interface Run {
  readonly status: string;
  /** The revisions the run submitted, in order. */
  readonly revisions: number[];
  readonly messages: string[];
  readonly calls: TaskCall[];
}

/** One execution of `def` against `store`; `fails(revision)` says whether a job on that revision fails. */
async function run(def: any, store: Store, fails: (revision: number) => boolean = () => false,
  extra: (c: TaskCall) => TaskOutcome | undefined = () => undefined): Promise<Run> {
  const revisions: number[] = [];
  const messages: string[] = [];
  const result = await simulate(def, CONTEXT, c => {
    const scripted = extra(c);
    if (scripted) return scripted;
    if (c.resource === GET_ITEM) return { result: store.item ? { Item: store.item } : {} };
    if (c.resource === PUT_ITEM) {
      expect(c.args.ConditionExpression).toBe('attribute_not_exists(workload) OR version = :expected');
      const stored = store.item?.version?.N;
      if (stored !== undefined && stored !== c.args.ExpressionAttributeValues[':expected'].N) {
        store.conflicts++;
        return { error: { Error: 'DynamoDB.ConditionalCheckFailedException', Cause: 'The conditional request failed' } };
      }
      store.item = c.args.Item;
      return { result: {} };
    }
    if (c.resource === BATCH_SYNC) {
      const revision = Number(String(c.args.JobDefinition).split(':')[6]);
      revisions.push(revision);
      if (fails(revision)) return { error: { Error: 'States.TaskFailed', Cause: JSON.stringify({ ...FAILED_JOB, JobDefinition: c.args.JobDefinition }) } };
      return { result: { JobId: `job-${revision}`, JobName: 'n', Status: 'SUCCEEDED', JobDefinition: c.args.JobDefinition } };
    }
    if (c.resource === SNS_PUBLISH) messages.push(JSON.parse(c.args.Message).default);
    if (c.resource === LIST_DEFINITIONS) {
      return { result: { JobDefinitions: [...store.active].map(r => ({ JobDefinitionArn: ARN(r), Revision: r, Status: 'ACTIVE' })) } };
    }
    if (c.resource === DEREGISTER) {
      const r = Number(String(c.args.JobDefinition).split(':')[6]);
      store.active.delete(r);
      store.deregistered.push(r);
    }
    return { result: { Events: [] } };
  });
  return { status: result.status, revisions, messages, calls: result.calls };
}

function rolloutDefinition(rollout: Rollout, props: Partial<RunTrackerProps> = {}): any {
  return trackerDefinition({ rollout, onStartDeadline: undefined, ...props });
}

/** A store whose item says revision `stable` is stable and was last good (what runs before a deploy leave). */
function settledOn(stable: number): Store {
  const store = new Store();
  store.item = {
    workload: { S: 'nightly-report' },
    version: { N: '4' },
    stable: { S: ARN(stable) },
    candidate: { S: ARN(stable) },
    rolledBack: { S: '' },
    lastGood: { S: ARN(stable) },
    since: { S: '2026-11-01T00:00:00.000Z' },
    runs: { N: '4' },
    successes: { N: '0' },
  };
  return store;
}

describe('rollout: which revision each run submits (jsonata 2.0.6 through the ASL simulator)', () => {
  test('the first run ever takes the deployed revision as stable and records it', async () => {
    const store = new Store();
    const r = await run(rolloutDefinition(Rollout.canary()), store);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.revisions).toEqual([7]);
    expect(store.revision('stable')).toBe(7);
    expect(store.revision('candidate')).toBe(7);
    expect(store.revision('lastGood')).toBe(7);
    expect(store.value('version')).toBe(1);
    expect(store.value('runs')).toBe(1);
  });

  test('canary pass: at 50%, runs alternate from the first run after the deploy; promoted after 2 successes, then every run', async () => {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(Rollout.canary({ percent: 50, promoteAfterRuns: 2 })), 8);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push(...(await run(def, store)).revisions);
    expect(seen).toEqual([8, 7, 8, 8, 8]);
    expect(store.revision('stable')).toBe(8);
    expect(store.value('successes')).toBe(2);
  });

  test('canary failure: rolled back by itself, one message naming both revisions, no later run on the bad revision', async () => {
    const store = settledOn(7);
    const base = rolloutDefinition(Rollout.canary({ percent: 50, promoteAfterRuns: 2 }));
    const def = deployed(base, 8);
    const first = await run(def, store, rev => rev === 8);
    expect(first.status).toBe('JobFailed');
    expect(first.revisions).toEqual([8]);
    expect(first.messages).toHaveLength(1);
    expect(first.messages[0]).toContain('Revision: 8 (the new revision, on trial: 50% of runs)');
    expect(first.messages[0]).toContain('Rolled back: revision 8 failed on this run, its trial; every later run uses revision 7 (the stable one) until a newer revision is deployed.');
    expect(store.revision('rolledBack')).toBe(8);
    expect(store.revision('stable')).toBe(7);
    const later: number[] = [];
    for (let i = 0; i < 4; i++) later.push(...(await run(def, store)).revisions);
    expect(later).toEqual([7, 7, 7, 7]);
    // A newer deploy is a new candidate, tried on the next run.
    expect((await run(deployed(base, 9), store)).revisions).toEqual([9]);
  });

  test('a new deploy during a canary: the newer revision replaces the candidate (counts start again), the stable one stays', async () => {
    const store = settledOn(7);
    const base = rolloutDefinition(Rollout.canary({ percent: 50, promoteAfterRuns: 2 }));
    const def = deployed(base, 8);
    await run(def, store); // 8 succeeds once
    expect(store.value('successes')).toBe(1);
    const newer = await run(deployed(base, 9), store);
    expect(newer.revisions).toEqual([9]);
    expect(store.revision('candidate')).toBe(9);
    expect(store.value('successes')).toBe(1);
    expect(store.value('runs')).toBe(1);
    expect(store.revision('stable')).toBe(7);
    // An execution that started before the deploy (it pins 8, older than the candidate) runs 8 and moves nothing.
    const stale = await run(def, store);
    expect(stale.revisions).toEqual([8]);
    expect(store.revision('candidate')).toBe(9);
  });

  test('linear 10 -> 50 -> 100: the share is 100% only after both earlier steps, then the revision is stable', async () => {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(Rollout.linear({ percentages: [10, 50, 100] })), 8);
    const seen: number[] = [];
    const shares: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await run(def, store);
      seen.push(...r.revisions);
      shares.push(String(store.revision('stable')));
    }
    // Run 1: 10% (the first run after the deploy) -> step 2, 50%: run 2 on 7, run 3 on 8 -> step 3, 100%: run 4 on 8 -> stable.
    expect(seen).toEqual([8, 7, 8, 8, 8, 8]);
    expect(shares).toEqual(['7', '7', '7', '8', '8', '8']);
  });

  test('a failure whose every attempt was a Spot reclaim, or a run not submitted, rolls nothing back', async () => {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(Rollout.canary({ percent: 100 })), 8);
    const reclaimed = { ...FAILED_JOB, Attempts: [{ StatusReason: 'Host EC2 (instance i-1) terminated.' }] };
    const r = await run(def, store, () => false, c => c.resource === BATCH_SYNC
      ? { error: { Error: 'States.TaskFailed', Cause: JSON.stringify(reclaimed) } } : undefined);
    expect(r.status).toBe('JobFailed');
    expect(store.revision('rolledBack')).toBeUndefined();
    expect(r.messages[0]).not.toContain('Rolled back');
    const refused = await run(def, store, () => false, c => c.resource === BATCH_SYNC ? { error: { Error: 'Batch.ClientException', Cause: 'throttled' } } : undefined);
    expect(refused.status).toBe('NotSubmitted');
    expect(store.revision('rolledBack')).toBeUndefined();
  });
});

describe('rollout: last-known-good rerun', () => {
  const def = deployed(rolloutDefinition(Rollout.allAtOnce({ rerunOnLastGood: true })), 8);

  test('a failure on a revision never seen succeeding is rerun once on the last good one; one message reports both', async () => {
    const store = settledOn(7);
    const r = await run(def, store, rev => rev === 8);
    expect(r.revisions).toEqual([8, 7]);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toContain('Revision: 8');
    expect(r.messages[0]).toContain('Rerun on revision 7 (the newest that succeeded before), for the same scheduled time: SUCCEEDED (job job-7).');
    expect(r.status).toBe('JobFailed');
    // All at once: no rollback, the next run is on 8 again.
    expect(store.revision('rolledBack')).toBeUndefined();
    expect((await run(def, store)).revisions).toEqual([8]);
  });

  test('a rerun that fails too is reported in the same message', async () => {
    const r = await run(def, settledOn(7), () => true);
    expect(r.revisions).toEqual([8, 7]);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toContain('Rerun on revision 7 (the newest that succeeded before), for the same scheduled time: did not succeed (States.TaskFailed).');
  });

  test('a revision that has succeeded before is not rerun', async () => {
    const store = settledOn(7);
    await run(def, store); // 8 succeeds: it is the last good one now
    expect(store.revision('lastGood')).toBe(8);
    const r = await run(def, store, rev => rev === 8);
    expect(r.revisions).toEqual([8]);
    expect(r.messages[0]).not.toContain('Rerun on revision');
  });
});

describe('rollout: keep the last K revisions', () => {
  test('a promotion deregisters the ACTIVE revisions beyond the newest K, never one still referenced', async () => {
    const store = settledOn(5); // 5 is stable and last good: older than the newest 2, but referenced
    for (let r = 1; r <= 8; r++) store.active.add(r);
    const def = deployed(rolloutDefinition(Rollout.canary({ percent: 100, promoteAfterRuns: 1, keepRevisions: 2 })), 8);
    const r = await run(def, store);
    expect(r.revisions).toEqual([8]);
    expect(store.revision('stable')).toBe(8);
    expect(store.deregistered).toEqual([6, 4, 3, 2, 1]);
    expect([...store.active].sort()).toEqual([5, 7, 8]);
    expect(r.calls.find(c => c.resource === LIST_DEFINITIONS)?.args).toEqual({ JobDefinitionName: 'nightly-report', Status: 'ACTIVE', MaxResults: 100 });
    // No promotion, no listing: a run on the stable revision deregisters nothing.
    const next = await run(def, store);
    expect(next.calls.some(c => c.resource === LIST_DEFINITIONS)).toBe(false);
  });
});

describe('rollout: the store', () => {
  test('a write that finds the item changed reads it again and records on the fresh item', async () => {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(Rollout.canary({ percent: 100, promoteAfterRuns: 3 })), 8);
    let raced = false;
    const r = await run(def, store, () => false, c => {
      if (c.resource === BATCH_SYNC && !raced) {
        // Another run records in between: version 4 -> 5.
        raced = true;
        store.item = { ...store.item, version: { N: '5' }, runs: { N: '5' } };
      }
      return undefined;
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(store.conflicts).toBe(1);
    expect(store.value('version')).toBe(6);
    expect(r.calls.filter(c => c.resource === GET_ITEM)).toHaveLength(2);
  });

  test('a store that cannot be read costs no run: the deployed revision runs', async () => {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(Rollout.canary()), 8);
    const r = await run(def, store, () => false, c => c.resource === GET_ITEM ? { error: { Error: 'DynamoDB.AmazonDynamoDBException', Cause: 'down' } } : undefined);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.revisions).toEqual([8]);
  });
});

describe('rollout: resources and grants', () => {
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
  const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

  test('without a rollout, or all at once without options, no table and no rollout state', () => {
    for (const rollout of [undefined, Rollout.allAtOnce()]) {
      const stack = trackerStack();
      new ScheduledBatchWorkload(stack, 'W', { schedule, image, rollout });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::DynamoDB::Table', 0);
      expect(JSON.stringify(t.toJSON())).not.toContain('ReadRolloutState');
    }
  });

  test('one on-demand table per stack with point-in-time recovery, an item per job; the run submits the chosen revision', () => {
    const stack = trackerStack();
    new ScheduledBatchWorkload(stack, 'A', { schedule, image, rollout: Rollout.canary() });
    new ScheduledBatchWorkload(stack, 'B', { schedule, image, rollout: Rollout.linear({ percentages: [25, 100] }) });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    t.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'workload', KeyType: 'HASH' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Delete',
    });
    const def = rolloutDefinition(Rollout.canary());
    expect(def.StartAt).toBe('ReadRolloutState');
    expect(def.States.RunJob.Arguments.JobDefinition).toBe('{% $rollout.revision %}');
  });

  test('the state machine reads and writes its own item only, and submits any revision of its own job definition', () => {
    const stack = trackerStack();
    trackerDefinition({ rollout: Rollout.canary({ keepRevisions: 3 }) }, stack);
    const template = Template.fromStack(stack).toJSON();
    const statements = roleStatements(template, roleId(template, 'RunsStateMachineRole'));
    const ddb = statements.find((s: any) => JSON.stringify(s.Action).includes('dynamodb'));
    expect(ddb.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(ddb.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['nightly-report'] } });
    const everyRevision = 'arn:aws:batch:eu-west-2:123456789012:job-definition/nightly-report:*';
    expect(statements).toContainEqual({ Action: 'batch:SubmitJob', Effect: 'Allow', Resource: everyRevision });
    expect(statements).toContainEqual({ Action: 'batch:DeregisterJobDefinition', Effect: 'Allow', Resource: everyRevision });
    expect(statements.find((s: any) => s.Action === 'batch:DescribeJobDefinitions').Resource).toBe('*');
  });
});

describe('rollout: bad input fails at synth, naming the prop, the value and the fix', () => {
  test.each([
    [() => Rollout.canary({ percent: 0 }), /'percent' is 0 percent: it must be a whole number of percent from 1 to 100/],
    [() => Rollout.canary({ percent: 101 }), /'percent' is 101 percent/],
    [() => Rollout.canary({ percent: 12.5 }), /'percent' is 12.5 percent/],
    [() => Rollout.canary({ percent: 'ten' as any }), /'percent' is 'ten'/],
    [() => Rollout.canary({ promoteAfterRuns: 0 }), /'promoteAfterRuns' is 0: .*e\.g\. 3/],
    [() => Rollout.canary({ promoteAfter: cdk.Duration.seconds(30) }), /'promoteAfter' is 30 seconds: .*Duration.hours\(24\)/],
    [() => Rollout.canary({ promoteAfter: cdk.Duration.hours(cdk.Token.asNumber({ Ref: 'H' })) }), /'promoteAfter' is a token/],
    [() => Rollout.linear({ percentages: [] }), /'percentages' is \[\]: give 1 to 10 increasing shares/],
    [() => Rollout.linear({ percentages: [50, 10] }), /'percentages' is \[50, 10\]: each step must be larger than the one before \(step 2 is not\)/],
    [() => Rollout.linear({ percentages: [10, 10] }), /step 2 is not/],
    [() => Rollout.linear({ percentages: [10, 150] }), /'percentages\[1\]' is 150 percent/],
    [() => Rollout.allAtOnce({ keepRevisions: 0 }), /'keepRevisions' is 0: .*keepRevisions: 5/],
    [() => Rollout.allAtOnce({ rerunOnLastGood: 'yes' as any }), /'rerunOnLastGood' is 'yes' \(a string\): give true or false/],
    [() => Rollout.canary({ percentage: 10 } as any), /percentage/],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });

  test('a job imported without its revision is refused: a rollout tells revisions apart by their number', () => {
    const stack = trackerStack();
    expect(() => trackerDefinition({
      rollout: Rollout.canary(),
      job: BatchJob.fromBatchJobAttributes(stack, 'Bare', {
        jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Q', 'arn:aws:batch:eu-west-2:123456789012:job-queue/nightly'),
        jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/nightly-report',
        jobName: 'nightly-report',
      }),
    }, stack)).toThrow(/'rollout' is set but the job's definition is 'arn:aws:batch:eu-west-2:123456789012:job-definition\/nightly-report', without a revision/);
  });

  test('a rollout that is not a Rollout, and a rollout without tracked runs, are refused', () => {
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    expect(() => new ScheduledBatchWorkload(trackerStack(), 'W', { schedule, image, rollout: 'canary' as any }))
      .toThrow(/'rollout' is 'canary', which is not a Rollout: use Rollout.canary\(\)/);
    expect(() => new ScheduledBatchWorkload(trackerStack(), 'W', { schedule, image, trackRuns: false, rollout: Rollout.canary() }))
      .toThrow(/'rollout' is set but 'trackRuns' is false/);
  });
});

describe('docs/operations.md, "Progressive rollout": its timeline and costs are the code\'s', () => {
  const doc = fs.readFileSync(require.resolve('../docs/operations.md'), 'utf8');

  /** The table row of six runs after revision 8 is deployed over a stable 7, as the simulator runs them. */
  async function row(rollout: Rollout | undefined, fails: (revision: number, run: number) => boolean = () => false): Promise<string> {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(rollout as Rollout), 8);
    const cells: string[] = [];
    let stableFrom: string | undefined;
    for (let i = 1; i <= 6; i++) {
      const r = await run(def, store, rev => fails(rev, i));
      cells.push(r.revisions.map((rev, j) => `r${rev}${j === 0 && fails(rev, i) ? ' ✗' : ''}`).join(' '));
      if (stableFrom === undefined && (rollout === undefined || store.revision('stable') === 8)) {
        stableFrom = rollout === undefined || rollout.kind === 'ALL_AT_ONCE' ? 'from run 1' : `after run ${i}`;
      }
    }
    return `| ${cells.join(' | ')} | ${stableFrom ?? ''}`;
  }

  test('the timeline table', async () => {
    expect(doc).toContain(`| \`allAtOnce()\` ${await row(undefined)}`);
    expect(doc).toContain(`| \`canary({ percent: 50, promoteAfterRuns: 2 })\` ${await row(Rollout.canary({ percent: 50, promoteAfterRuns: 2 }))}`);
    expect(doc).toContain(`| the same, revision 8 fails on run 1 ${await row(Rollout.canary({ percent: 50, promoteAfterRuns: 2 }), (rev, i) => rev === 8 && i === 1)}never: rolled back after run 1 |`);
    expect(doc).toContain(`| \`linear({ percentages: [10, 50, 100] })\` ${await row(Rollout.linear({ percentages: [10, 50, 100] }))}`);
    expect(doc).toContain(`| \`allAtOnce({ rerunOnLastGood: true })\`, revision 8 fails ${await row(Rollout.allAtOnce({ rerunOnLastGood: true }), rev => rev === 8)}never (each run is rerun on 7) |`);
  });

  test('with the defaults, the new revision runs on runs 1, 11 and 21 and is stable after run 21', async () => {
    const store = settledOn(7);
    const def = deployed(rolloutDefinition(Rollout.canary()), 8);
    const onNew: number[] = [];
    for (let i = 1; i <= 21; i++) if ((await run(def, store)).revisions[0] === 8) onNew.push(i);
    expect(onNew).toEqual([1, 11, 21]);
    expect(store.revision('stable')).toBe(8);
    expect(doc).toContain('the new revision runs on runs 1, 11 and 21 and is stable after run 21');
  });

  /** The states a good run enters: from StartAt along each state's success (a Choice's default). */
  function goodRunStates(def: any): number {
    let n = 0;
    for (let name = def.StartAt; name; n++) {
      const s = def.States[name];
      name = s.Type === 'Choice' ? s.Default : s.End ? undefined : s.Next;
    }
    return n;
  }

  test('per good run: 2 state transitions, 1 read and 1 write more (3 transitions with keepRevisions), priced with UnitPrices', () => {
    const base = goodRunStates(trackerDefinition());
    const plain = goodRunStates(rolloutDefinition(Rollout.canary())) - base;
    const keep = goodRunStates(rolloutDefinition(Rollout.canary({ keepRevisions: 5 }))) - base;
    expect([plain, keep]).toEqual([2, 3]);
    const perRun = (transitions: number) =>
      transitions * UnitPrices.STATE_TRANSITION + UnitPrices.DYNAMODB_READ_REQUEST + UnitPrices.DYNAMODB_WRITE_REQUEST;
    const flat = doc.replace(/\s+/g, ' ');
    expect(flat).toContain(`| canary, linear, or \`allAtOnce\` with \`rerunOnLastGood\` | ${plain} state transitions, 1 read, 1 write | ${perRun(plain).toFixed(8)} | ${(1000 * perRun(plain)).toFixed(2)} |`);
    expect(flat).toContain(`| any of them with \`keepRevisions\` | ${keep} state transitions, 1 read, 1 write | ${perRun(keep).toFixed(8)} | ${(1000 * perRun(keep)).toFixed(2)} |`);
  });

  test('the defaults and prices it states are the code\'s', () => {
    const flat = doc.replace(/\s+/g, ' ');
    const d = ROLLOUT_DEFAULTS;
    expect(flat).toContain(`A share of runs (default ${d.percent}%) on the new revision, the rest on the stable one, until \`promoteAfterRuns\` (default ${d.promoteAfterRuns})`);
    expect(flat).toContain(`a step after \`runsPerStep\` (default ${d.runsPerStep}) successes`);
    expect(flat).toContain(`With the defaults (${d.percent}%, ${d.promoteAfterRuns} successes)`);
    expect(flat).toContain(`$${(UnitPrices.STATE_TRANSITION * 1000).toFixed(3)} per 1,000 state transitions`);
    expect(flat).toContain(`$${(UnitPrices.DYNAMODB_WRITE_REQUEST * 1e6).toFixed(3)} per million write and `
      + `$${(UnitPrices.DYNAMODB_READ_REQUEST * 1e6).toFixed(3)} per million read request units`);
  });

  /** The states from `from` to `to`, `to` left out; at a Choice, `take` names the branch (else its default). */
  function statesBetween(def: any, from: string, to: string, take: Record<string, string> = {}): string[] {
    const seen: string[] = [];
    for (let name = from; name !== to;) {
      seen.push(name);
      const s = def.States[name];
      const next = s.Type === 'Choice' ? (take[name] ?? s.Default) : s.Next;
      if (seen.length > 20 || next === undefined) throw new Error(`no way from ${from} to ${to}`);
      name = next;
    }
    return seen;
  }

  test('a bad run pays the same two transitions, two more with a rerun; a promotion two more and one per revision it deregisters', () => {
    const failed = (def: any) => def.States.RunJob.Catch.find((c: any) => c.ErrorEquals.includes('States.ALL')).Next;
    const base = trackerDefinition();
    expect(statesBetween(base, failed(base), 'FetchLogTail')).toEqual([]);
    const plain = rolloutDefinition(Rollout.canary());
    // ReadRolloutState before the run, RecordFailedRun after it.
    expect(statesBetween(plain, failed(plain), 'FetchLogTail')).toEqual(['RecordFailedRun']);
    const rerun = rolloutDefinition(Rollout.canary({ rerunOnLastGood: true }));
    expect(statesBetween(rerun, failed(rerun), 'FetchLogTail', { 'RerunOnLastGood?': 'RerunOnLastGood' }))
      .toEqual(['RecordFailedRun', 'RerunOnLastGood?', 'RerunOnLastGood']);
    const keep = rolloutDefinition(Rollout.canary({ keepRevisions: 2 }));
    const promoted = keep.States.RevisionPromoted.Choices[0].Next;
    expect(statesBetween(keep, promoted, 'SendSucceededEvent')).toEqual(['ListRevisions', 'DeregisterOldRevisions']);
    expect(Object.keys(keep.States.DeregisterOldRevisions.ItemProcessor.States)).toEqual(['DeregisterRevision']);
    const flat = doc.replace(/\s+/g, ' ');
    expect(flat).toContain('A bad run pays the same two transitions, two more with a rerun (and the rerun\'s compute); a promotion with '
      + '`keepRevisions` two more and one per revision it deregisters.');
  });

  test('README says what a run pays: two state transitions', () => {
    const readme = fs.readFileSync(require.resolve('../README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(goodRunStates(rolloutDefinition(Rollout.canary())) - goodRunStates(trackerDefinition())).toBe(2);
    expect(readme).toContain('(no Lambda, nothing while idle, two state transitions per run)');
  });

  test('the fixed cost: CostReport of a stack with rollouts is that of the same stack without', () => {
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    const [without, withRollout] = [undefined, Rollout.canary({ keepRevisions: 3, rerunOnLastGood: true })].map(rollout => {
      const stack = trackerStack();
      new ScheduledBatchWorkload(stack, 'W', { schedule, image, rollout });
      return CostReport.of(stack).monthlyUsd;
    });
    expect(withRollout).toBe(without);
  });
});

describe('rollout: a share the schedule is too rare for gets an acknowledgeable warning', () => {
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
  const warnings = (schedule: scheduler.ScheduleExpression, rollout: Rollout) => {
    const stack = trackerStack();
    new ScheduledBatchWorkload(stack, 'W', { schedule, image, rollout });
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(SLOW_ROLLOUT_WARNING_ID)).map(w => String(w.entry.data));
  };

  test('runs to promotion replay the engine: the timeline of docs/operations.md', () => {
    expect(runsToPromote(Rollout.canary())).toBe(21);
    expect(runsToPromote(Rollout.canary({ percent: 50, promoteAfterRuns: 2 }))).toBe(3);
    expect(runsToPromote(Rollout.linear({ percentages: [10, 50, 100] }))).toBe(4);
    expect(runsToPromote(Rollout.canary({ percent: 100, promoteAfterRuns: 3 }))).toBe(3);
  });

  test('a token share or run count is counted at deploy time, not at synth: no count, no warning, and synth ends (it looped forever)', () => {
    const token = (n: number) => cdk.Token.asNumber(cdk.Lazy.number({ produce: () => n }));
    const daily = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    const rollouts = [
      Rollout.canary({ percent: token(10) }),
      Rollout.canary({ promoteAfterRuns: token(3) }),
      Rollout.linear({ percentages: [token(10), 100] }),
      Rollout.linear({ percentages: [10, 100], runsPerStep: token(2) }),
    ];
    for (const rollout of rollouts) {
      expect(runsToPromote(rollout)).toBeUndefined();
      expect(warnings(daily, rollout)).toEqual([]);
    }
  });

  test('daily at 10%: 21 runs, at least 21 days, with the fix; hourly, or the next 3 runs, no warning', () => {
    const daily = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    const [warning] = warnings(daily, Rollout.canary());
    expect(warning).toContain("'rollout' needs 21 runs after a deploy before the new revision is stable (shares 10%), at least 21 days at this schedule");
    expect(warning).toContain('Rollout.canary({ percent: 100, promoteAfterRuns: 3 })');
    expect(warning).toContain(`acknowledgeWarning('${SLOW_ROLLOUT_WARNING_ID}'`);
    expect(warnings(scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)), Rollout.canary())).toEqual([]);
    expect(warnings(daily, Rollout.canary({ percent: 100, promoteAfterRuns: 3 }))).toEqual([]);
  });
});

describe('rollout: a RunApi route of a workload with a rollout runs through the run engine', () => {
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
  const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

  function routeOf(rollout?: Rollout) {
    const stack = trackerStack();
    const runApi = new RunApi(stack, 'RunApi');
    const workload = new ScheduledBatchWorkload(stack, 'W', { schedule, image, runApi, rollout, parameters: { region: 'eu' } });
    const template = Template.fromStack(stack);
    const post = Object.values<any>(template.findResources('AWS::ApiGateway::Method')).find(m => m.Properties.HttpMethod === 'POST');
    return { template: template.toJSON(), workload, integration: post.Properties.Integration };
  }

  test('POST starts an execution of the tracker (StartExecution), named after the request, with the body as input', () => {
    const { integration, template, workload } = routeOf(Rollout.canary());
    expect(JSON.stringify(integration.Uri)).toContain(':states:action/StartExecution');
    const body = { scheduledTime: '2026-12-01T06:00:00Z', parameters: { region: "o'brien \"eu\"" } };
    const flat = (v: any): string => typeof v === 'string' ? v
      : v['Fn::Join'] ? v['Fn::Join'][1].map(flat).join(v['Fn::Join'][0]) : `<${v.Ref ?? JSON.stringify(v)}>`;
    const requestTemplate = flat(integration.RequestTemplates['application/json']);
    const request = JSON.parse(renderVtl(requestTemplate, { body, requestId: 'c0ffee12-3456-7890-abcd-ef0123456789' }).text);
    expect(request.name).toBe('api-c0ffee12-3456-7890-abcd-ef0123456789');
    expect(JSON.parse(request.input)).toEqual(body);
    const machineId = Object.keys(template.Resources).find(id => id.startsWith('WScheduleRunsStateMachine') && !id.includes('Role'));
    expect(request.stateMachineArn).toBe(`<${machineId}>`);
    const ok = integration.IntegrationResponses.find((r: any) => r.StatusCode === '200').ResponseTemplates['application/json'];
    const arn = 'arn:aws:states:eu-west-2:123456789012:execution:Runs:api-c0ffee12-3456-7890-abcd-ef0123456789';
    const started = { executionArn: arn, startDate: 1764568800.5 };
    expect(JSON.parse(renderVtl(ok, { body: started }).text)).toEqual(started);
    // The integration role may start this state machine's executions.
    const role = roleStatements(template, roleId(template, 'RunApiIntegrationRole'));
    const start = role.find((st: any) => st.Action === 'states:StartExecution');
    expect(start.Resource).toEqual({ Ref: machineId });
    expect(workload.runApiRouteName).toBe('w');
  });

  test('without a rollout the route submits the job itself, as before', () => {
    const { integration } = routeOf();
    expect(JSON.stringify(integration.Uri)).toContain(':batch:path/v1/submitjob');
  });
});
