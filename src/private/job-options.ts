import { Duration, Token } from 'aws-cdk-lib';
import { validateRetryAttempts, validateRetryableExitCodes } from '../jobs/private/retry';

/** The job options checked here (a structural subset of `BatchJobOptions`, which imports this module). */
export interface CheckedJobOptions {
  readonly image?: unknown;
  readonly repository?: unknown;
  readonly imageTag?: string;
  readonly dataBucket?: unknown;
  readonly createDataBucket?: boolean;
  readonly retryAttempts?: number;
  readonly retryableExitCodes?: string[];
  readonly timeout?: Duration;
  readonly environment?: { [key: string]: string };
  readonly secrets?: { [key: string]: unknown };
  readonly parameters?: { [name: string]: string };
}

/** The job parameter that carries each run's scheduled time (`Ref::scheduledTime`); runs always set it. */
export const SCHEDULED_TIME_PARAMETER = 'scheduledTime';

/**
 * Declared parameter names: safe as `Ref::<name>` in a command, as JSON-schema property names, and inside the
 * Step Functions (JSONata) and API Gateway (VTL) templates that pass them on.
 */
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Longest value a run may give a declared parameter (the API's request model enforces it). */
export const PARAMETER_VALUE_MAX = 1024;

/**
 * AWS Batch's minimum attempt timeout.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html
 */
const MIN_TIMEOUT = Duration.seconds(60);

/** Environment-variable prefix AWS Batch reserves for itself. @see https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html */
const RESERVED_ENV_PREFIX = 'AWS_BATCH_';

/** Fails at synth on job options AWS Batch would reject, or that contradict each other. */
export function validateJobOptions(props: CheckedJobOptions): void {
  validateParameters(props.parameters);
  if (props.image && (props.repository || props.imageTag !== undefined)) {
    throw new Error(`'image' was given together with ${props.repository ? "'repository'" : "'imageTag'"}: 'image' names the image completely. Use 'image' alone, or 'repository' with 'imageTag'.`);
  }
  if (props.dataBucket && props.createDataBucket) {
    throw new Error("'dataBucket' was given and 'createDataBucket' is true: use the brought bucket, or let the job create one, not both.");
  }
  if (props.retryAttempts !== undefined) validateRetryAttempts(props.retryAttempts);
  validateRetryableExitCodes(props.retryableExitCodes ?? []);
  const timeout = props.timeout;
  if (timeout && !timeout.isUnresolved() && timeout.toSeconds() < MIN_TIMEOUT.toSeconds()) {
    throw new Error(`'timeout' must be at least 60 seconds, got ${timeout.toHumanString()}: AWS Batch does not accept shorter attempt timeouts.`);
  }
  for (const prop of ['environment', 'secrets'] as const) {
    for (const key of Object.keys(props[prop] ?? {})) {
      if (key.startsWith(RESERVED_ENV_PREFIX)) {
        throw new Error(`'${prop}' key '${key}' starts with ${RESERVED_ENV_PREFIX}, a prefix AWS Batch reserves for its own variables: rename it.`);
      }
    }
  }
  const both = Object.keys(props.environment ?? {}).filter(k => k in (props.secrets ?? {}));
  if (both.length > 0) {
    throw new Error(`'environment' and 'secrets' both set ${both.map(k => `'${k}'`).join(', ')}: a container gets one value per variable and ECS rejects the duplicate at run time. Keep it in one of them.`);
  }
}

/** Declared parameters: names a run may override, each with a string default. */
function validateParameters(parameters: { [name: string]: string } | undefined): void {
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (name === SCHEDULED_TIME_PARAMETER) {
      throw new Error(`'parameters' declares '${name}', which every run sets to its scheduled time: choose another name (read the time as Ref::${SCHEDULED_TIME_PARAMETER}).`);
    }
    if (!PARAMETER_NAME.test(name)) {
      throw new Error(`'parameters' name '${name}' is not valid: use 1 to 64 letters, digits and underscores, starting with a letter, for example 'reportDate'.`);
    }
    if (typeof value !== 'string') {
      throw new Error(`'parameters' default of '${name}' is ${JSON.stringify(value)} (${typeof value}): AWS Batch parameters are strings. Quote it, for example '${name}': '${String(value)}'.`);
    }
    if (!Token.isUnresolved(value) && value.length > PARAMETER_VALUE_MAX) {
      throw new Error(`'parameters' default of '${name}' is ${value.length} characters: at most ${PARAMETER_VALUE_MAX}, the longest value a run may give it.`);
    }
  }
}
