/**
 * The look-up of a run kind's active jobs, for the overlap policies that need it (SKIP, REPLACE): ListJobs on the run's
 * queue, and on the On-Demand queue its runs are resubmitted to, so that a run still going On-Demand counts too.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { activeJobsExpression, prefixExpression } from './expressions';

/** A call of one AWS API, bounded as the engine's look-ups are (run-definition.ts `lookup`), with its output. */
export type Lookup = (id: string, service: string, action: string, iamResources: string[], args: Record<string, unknown>,
  assign?: Record<string, unknown>, iamAction?: string, outputs?: string) => tasks.CallAwsService;

export interface ActiveJobsProps {
  /** The run's queue first, then the On-Demand queue its runs are resubmitted to, if any. */
  readonly queueArns: string[];
  readonly runPrefix: string;
  /** Jobs of any step of a workflow, not only the run's own job. */
  readonly anyStep: boolean;
}

/**
 * A state that assigns `$activeJobs`, the active jobs of this run kind (oldest first, maybe empty), and `assign`: one
 * ListJobs on one queue; with two queues a Map of a ListJobs per queue, whose lists are joined. Either way one state,
 * whose catch and next the policy sets.
 */
export function listActiveJobs(scope: Construct, id: string, props: ActiveJobsProps, lookup: Lookup,
  assign: Record<string, unknown> = {}): tasks.CallAwsService | sfn.Map {
  const args = (queue: string) => ({
    JobQueue: queue,
    Filters: [{ Name: 'JOB_NAME', Values: [`{% ${prefixExpression(props.runPrefix)} & '-*' %}`] }],
    MaxResults: 100,
  });
  const active = activeJobsExpression(props.runPrefix, props.anyStep);
  if (props.queueArns.length === 1) {
    return lookup(id, 'batch', 'listJobs', ['*'], args(props.queueArns[0]), { activeJobs: `{% ${active} %}`, ...assign });
  }
  // Each iteration's output: the active jobs of its queue (a list).
  const perQueue = lookup(`${id}OnQueue`, 'batch', 'listJobs', ['*'], args('{% $states.input %}'), undefined, undefined, `{% ${active} %}`);
  const map = sfn.Map.jsonata(scope, id, {
    items: sfn.ProvideItems.jsonArray(props.queueArns),
    maxConcurrency: props.queueArns.length,
    assign: { activeJobs: '{% $append([], $reduce($states.result, function($all, $list) { $append($all, $list) }, [])^(CreatedAt)) %}', ...assign },
  });
  map.itemProcessor(perQueue);
  return map;
}
