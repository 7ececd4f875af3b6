import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { inHostSpelling, ValidationError } from '../../private/prop-names';

/** The warning id of a workload that runs a tag of the repository it creates (see {@link warnEmptyRepository}). */
export const EMPTY_REPOSITORY_WARNING_ID = 'cdk-scheduled-batch:emptyRepository';

/** Fails at synth on workload props that would be ignored without a word. */
export function rejectIgnoredWorkloadProps(props: {
  readonly alarms?: boolean;
  readonly dashboard?: boolean;
  readonly resubmitOnDemand?: boolean;
  readonly trackRuns?: boolean;
  readonly arraySize?: number;
}): void {
  if (props.alarms === false && props.dashboard === true) {
    throw new ValidationError("'dashboard' is true but 'alarms' is false: the dashboard shows the workload's alarms. Set 'alarms' to true (the default), or leave 'dashboard' out.");
  }
  if (props.resubmitOnDemand === true && props.trackRuns === false) {
    throw new ValidationError("'resubmitOnDemand' is true but 'trackRuns' is false: the resubmission happens in the tracked run. Turn 'trackRuns' on, or leave 'resubmitOnDemand' out.");
  }
  if (props.resubmitOnDemand === true && props.arraySize !== undefined) {
    throw new ValidationError(`'resubmitOnDemand' is true but 'arraySize' is ${props.arraySize}: an array job's children cannot be resubmitted one by one. `
      + "Leave 'resubmitOnDemand' out, or 'arraySize' (one job per run).");
  }
}

/**
 * A workload runs in its platform's account and region: its state machine, schedule and job definition reference the
 * platform's queue, roles and logs, which aws-cdk-lib cannot share across environments (its error names no prop).
 */
export function rejectPlatformElsewhere(workload: IConstruct, platform: IConstruct): void {
  const [here, there] = [Stack.of(workload), Stack.of(platform)];
  const differs = (a: string, b: string) => !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
  if (differs(here.account, there.account) || differs(here.region, there.region)) {
    throw new ValidationError(`'platform' is ${platform.node.path}, in account ${there.account} and region ${there.region}, but this workload's stack ${here.stackName} `
      + `is in account ${here.account} and region ${here.region}: a workload runs in its platform's account and region. Declare the workload in a stack of that `
      + 'environment, or give it a platform of its own environment.');
  }
}

/**
 * Warns, acknowledgeably, that a repository the workload creates is empty at deploy: the first scheduled run fails
 * (CannotPullContainerError) until the tag it runs is pushed. Says how to push it.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-ecr-image.html
 */
export function warnEmptyRepository(scope: IConstruct, tag: string): void {
  Annotations.of(scope).addWarningV2(EMPTY_REPOSITORY_WARNING_ID,
    inHostSpelling(`No 'image' was given, so the workload runs ':${tag}' of the ECR repository it creates (workload.repository), which is empty after the deploy: `
    + `every run fails to pull the image until ':${tag}' is pushed. Push it once the stack exists: `
    + 'aws ecr get-login-password | docker login --username AWS --password-stdin <account>.dkr.ecr.<region>.amazonaws.com, then '
    + `docker build -t <repositoryUri>:${tag} . && docker push <repositoryUri>:${tag} (docs/operations.md, "Ship a new image"). `
    + "Or give 'image' (e.g. ecs.ContainerImage.fromAsset('./app') builds and pushes it at deploy). "
    + `Acknowledge with Annotations.of(workload).acknowledgeWarning('${EMPTY_REPOSITORY_WARNING_ID}', '<why>') once a pipeline pushes it.`));
}
