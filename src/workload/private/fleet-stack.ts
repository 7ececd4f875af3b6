import * as fs from 'fs';
import * as path from 'path';
import { ISynthesisSession, NestedStack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from '../../private/prop-names';
import { IStartCheckSharing } from '../../runs/private/start-check-machine';
import { ScheduledBatchWorkload } from '../scheduled-batch-workload';

/**
 * The most bytes of a nested stack's template: CloudFormation reads it from S3 (`TemplateURL`), "Template body size in
 * an Amazon S3 object: 1 MB" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
 * counted as aws-cdk-lib counts it (`Stack`'s template size check).
 */
export const MAX_NESTED_TEMPLATE_BYTES = 1_000_000;

/** The most nested stacks a `BatchFleet` spreads its workloads over (`workloadStacks`). */
export const MAX_WORKLOAD_STACKS = 200;

/** The workloads `stack` holds. */
export function workloadCount(stack: NestedStack): number {
  return stack.node.children.filter(c => c instanceof ScheduledBatchWorkload).length;
}

/**
 * One of a `BatchFleet`'s nested stacks. Its template is written without indentation (a workload's definitions are
 * long one-line strings, so that saves about 14% of the bytes, and the 1 MB limit is what fills a fleet's stack), and
 * it refuses to synthesize a template past `MAX_NESTED_TEMPLATE_BYTES`: the workload count cap holds default
 * workloads, but a workload with every option is about twice their size (`test/fleet.test.ts`), and CloudFormation
 * would only refuse it at deploy. The size is that of the file aws-cdk-lib writes, read after it writes it.
 */
export class FleetStack extends NestedStack implements IStartCheckSharing {
  /** Its runs that notify the platform's topic use the fleet's start check: the nested stack adds no resource but itself. */
  public readonly startCheckHost: Construct;

  /** `workloadStacks`: how many stacks the fleet has, for the fix the error names. */
  constructor(scope: Construct, id: string, description: string, private readonly workloadStacks: number) {
    super(scope, id, { description, suppressTemplateIndentation: true });
    this.startCheckHost = scope;
  }

  /** @internal */
  public _synthesizeTemplate(session: ISynthesisSession, ...rest: any[]): void {
    (super._synthesizeTemplate as (s: ISynthesisSession, ...r: any[]) => void)(session, ...rest);
    const bytes = fs.statSync(path.join(session.assembly.outdir, this.templateFile)).size;
    if (bytes > MAX_NESTED_TEMPLATE_BYTES) {
      const now = this.workloadStacks;
      // Enough stacks for the fullest to come to 80% of the limit, if the fleet spread evenly.
      const enough = Math.min(MAX_WORKLOAD_STACKS, Math.ceil(now * bytes / (0.8 * MAX_NESTED_TEMPLATE_BYTES)));
      throw new ValidationError(`${this.node.path} writes a template of ${bytes.toLocaleString('en-US')} bytes for ${workloadCount(this)} workloads, `
        + `more than the ${MAX_NESTED_TEMPLATE_BYTES.toLocaleString('en-US')} bytes CloudFormation takes for a nested stack's template: `
        + `raise 'workloadStacks' (now ${now}, at most ${MAX_WORKLOAD_STACKS}; about ${enough} leaves room) before the first deployment (it moves workloads between stacks), `
        + 'or split the workloads over two fleets.');
    }
  }
}
