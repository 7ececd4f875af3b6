/**
 * The SubmitJob arguments of a run's job, as the engine's `batch:submitJob.sync` states send them: the run's job name,
 * its parameters and scheduled time, array size, share, and the workload tag (TerminateJob is scoped by it, and it is
 * propagated to the job's ECS task: src/private/job-tags.ts).
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
 */
import { jobNameExpression, runParametersExpression, SCHEDULED_TIME, SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER } from './expressions';
import { EngineStep, shareArguments } from './run-graph';
import { workloadTags } from '../../private/job-tags';

/** SubmitJob's arguments of `step` to `queueArn`; `jobDefinition` is the ARN, or JSONata choosing a revision. */
export function submitArguments(step: EngineStep, queueArn: string, jobDefinition: string): Record<string, unknown> {
  const declared = step.parameterNames;
  return {
    JobName: `{% ${jobNameExpression(step.jobNamePrefix)} %}`,
    JobQueue: queueArn,
    JobDefinition: jobDefinition,
    Parameters: declared.length > 0 ? `{% ${runParametersExpression(declared)} %}` : { [SCHEDULED_TIME_PARAMETER]: `{% ${SCHEDULED_TIME} %}` },
    ContainerOverrides: { Environment: [{ Name: SCHEDULED_TIME_ENV, Value: `{% ${SCHEDULED_TIME} %}` }] },
    ...step.arraySize !== undefined ? { ArrayProperties: { Size: step.arraySize } } : {},
    ...shareArguments(step),
    Tags: workloadTags(step.workloadTag),
    PropagateTags: true,
  };
}
