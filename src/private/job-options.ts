import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ValidationError } from './prop-names';
import { describeTyped, validateDuration, validateInstanceOf, validateLogRetention } from './validate';
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
  readonly cpu?: number;
  readonly memory?: Size;
  readonly command?: string[];
  readonly environment?: { [key: string]: string };
  readonly secrets?: { [key: string]: unknown };
  readonly parameters?: { [name: string]: string };
  readonly user?: string;
  readonly logRetention?: logs.RetentionDays;
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
 * AWS Batch's minimum attempt timeout (attemptDurationSeconds, an integer of at least 60).
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html
 */
const MIN_TIMEOUT = Duration.seconds(60);

/** `Ref::<name>` placeholders AWS Batch substitutes in a command. @see https://docs.aws.amazon.com/batch/latest/userguide/job_definition_parameters.html#parameters */
const PARAMETER_REFERENCE = /Ref::([A-Za-z0-9_]+)/g;

/** Environment-variable prefix AWS Batch reserves for itself. @see https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html */
const RESERVED_ENV_PREFIX = 'AWS_BATCH_';

/**
 * The environment variable every run sets to its scheduled time (`containerOverrides`, which replace the job
 * definition's value of the same name); the job parameter is `SCHEDULED_TIME_PARAMETER`.
 */
export const SCHEDULED_TIME_ENV = 'SCHEDULED_TIME';

/**
 * An environment variable's name as a container receives it: not empty, and no '=' (which ends the name in the
 * process's `NAME=value` environment), whitespace or control characters.
 */
const ENV_NAME = /^[^=\s\p{Cc}]+$/u;

/**
 * Docker's `user`: a user name or UID, optionally `:` and a group name or GID; names without whitespace or ':'.
 * @see https://docs.docker.com/reference/dockerfile/#user
 */
const CONTAINER_USER = /^[^\s:]+(:[^\s:]+)?$/;

/** Fails at synth on job options AWS Batch would reject, or that contradict each other. */
export function validateJobOptions(props: CheckedJobOptions): void {
  validateParameters(props.parameters);
  validateLogRetention('logRetention', props.logRetention);
  validateUser(props.user);
  if (props.image && (props.repository || props.imageTag !== undefined)) {
    throw new ValidationError(`'image' was given together with ${props.repository ? "'repository'" : "'imageTag'"}: 'image' names the image completely. Use 'image' alone, or 'repository' with 'imageTag'.`);
  }
  if (props.dataBucket && props.createDataBucket) {
    throw new ValidationError("'dataBucket' was given and 'createDataBucket' is true: use the brought bucket, or let the job create one, not both.");
  }
  if (props.retryAttempts !== undefined) validateRetryAttempts(props.retryAttempts);
  validateRetryableExitCodes(props.retryableExitCodes ?? []);
  validateResourceNumbers(props);
  const timeout = props.timeout;
  validateInstanceOf('timeout', timeout, Duration, 'a Duration, e.g. Duration.hours(1)');
  if (timeout && !timeout.isUnresolved() && timeout.toSeconds({ integral: false }) < MIN_TIMEOUT.toSeconds()) {
    throw new ValidationError(`'timeout' must be at least 60 seconds, got ${timeout.toHumanString()}: AWS Batch does not accept shorter attempt timeouts.`);
  }
  validateDuration('timeout', timeout, {
    minSeconds: MIN_TIMEOUT.toSeconds(), why: '(AWS Batch attemptDurationSeconds)', fix: 'give one attempt\'s limit, e.g. Duration.hours(1)',
  });
  validateCommand(props.command);
  validateCommandReferences(props.command, props.parameters);
  for (const prop of ['environment', 'secrets'] as const) {
    const given: unknown = props[prop];
    if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
      throw new ValidationError(`'${prop}' is ${JSON.stringify(given)}: give a map of variable names to values, e.g. { LOG_LEVEL: 'info' }.`);
    }
    for (const key of Object.keys(props[prop] ?? {})) {
      if (Token.isUnresolved(key)) continue;
      if (!ENV_NAME.test(key)) {
        throw new ValidationError(`'${prop}' key ${JSON.stringify(key)} is not an environment variable name a container can receive: it must not be empty or hold '=', spaces or control characters. Use letters, digits and underscores, e.g. 'LOG_LEVEL'.`);
      }
      const value: unknown = (props[prop] as Record<string, unknown>)[key];
      if (prop === 'environment' && typeof value !== 'string') {
        throw new ValidationError(`'environment' value of '${key}' is ${describeTyped(value, 'string')}: environment values are strings. `
          + `Quote it, e.g. ${key}: '${value === undefined ? '<value>' : String(value)}', or leave '${key}' out.`);
      }
      if (key === SCHEDULED_TIME_ENV) {
        throw new ValidationError(`'${prop}' key '${key}' is set by every scheduled, API and workflow run to the run's scheduled time, which replaces this value: rename it, or read the run's time from $${SCHEDULED_TIME_ENV}.`);
      }
      if (key.startsWith(RESERVED_ENV_PREFIX)) {
        throw new ValidationError(`'${prop}' key '${key}' starts with ${RESERVED_ENV_PREFIX}, a prefix AWS Batch reserves for its own variables: rename it.`);
      }
    }
  }
  const both = Object.keys(props.environment ?? {}).filter(k => k in (props.secrets ?? {}));
  if (both.length > 0) {
    throw new ValidationError(`'environment' and 'secrets' both set ${both.map(k => `'${k}'`).join(', ')}: a container gets one value per variable and ECS rejects the duplicate at run time. Keep it in one of them.`);
  }
  validateDefinitionSize(props);
}

/**
 * The most bytes of a job definition: "Maximum job definition size (for RegisterJobDefinition API operations): 24 KiB"
 * (https://docs.aws.amazon.com/batch/latest/userguide/service_limits.html).
 */
export const MAX_JOB_DEFINITION_BYTES = 24 * 1024;

/**
 * The user's parts of the job definition (parameters, environment, command, secret names), counted as JSON: when they
 * alone pass the limit, the whole definition does, and AWS Batch refuses it at deploy. A token counts as its marker.
 */
function validateDefinitionSize(props: CheckedJobOptions): void {
  const bytes = Buffer.byteLength(JSON.stringify({
    parameters: props.parameters, environment: props.environment, command: props.command, secrets: Object.keys(props.secrets ?? {}),
  }));
  if (bytes > MAX_JOB_DEFINITION_BYTES) {
    throw new ValidationError(`'parameters', 'environment' and 'command' hold ${bytes.toLocaleString('en-US')} bytes together, more than the `
      + `${MAX_JOB_DEFINITION_BYTES.toLocaleString('en-US')} (24 KiB) AWS Batch takes for a whole job definition: put large values in a file of the job's `
      + 'data bucket or in a secret or SSM parameter, and pass its name.');
  }
}

/** `command`: a list of strings whose first, the program, is not empty (the container could not start). */
function validateCommand(command: unknown): void {
  if (command === undefined || Token.isUnresolved(command)) return;
  if (!Array.isArray(command) || command.some(arg => typeof arg !== 'string')) {
    throw new ValidationError(`'command' is ${JSON.stringify(command)}: give a list of strings, the program first, e.g. ['python', '-m', 'report'].`);
  }
  if (command.length > 0 && command[0].trim() === '') {
    throw new ValidationError(`'command' starts with ${JSON.stringify(command[0])}: the first entry is the program the container runs. Give it, e.g. ['python', '-m', 'report'], or leave 'command' out to run the image's own.`);
  }
}

/** `user`: refuses what would run the image's own user (often root) by accident, or fail at container start. */
function validateUser(user: unknown): void {
  if (user === undefined || Token.isUnresolved(user)) return;
  if (typeof user !== 'string' || !CONTAINER_USER.test(user)) {
    throw new ValidationError(`'user' is ${JSON.stringify(user)}: give a user name or UID, optionally with ':' and a group name or GID, e.g. '1000:1000' (the default). `
      + "An empty 'user' would run the image's own user, often root.");
  }
}

/**
 * `cpu` and `memory` as numbers, before the platform's own checks (job-resources.ts), which compare them and would let
 * NaN through. AWS Batch takes VCPU as a positive number and MEMORY as whole MiB (at least 4).
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 */
function validateResourceNumbers(props: CheckedJobOptions): void {
  const cpu: unknown = props.cpu;
  if (cpu !== undefined && !Token.isUnresolved(cpu) && !(typeof cpu === 'number' && Number.isFinite(cpu) && cpu > 0)) {
    throw new ValidationError(`'cpu' is ${typeof cpu === 'string' ? `'${cpu}'` : String(cpu)}: it must be a positive number of vCPUs; give a whole number on EC2, or 0.25, 0.5, 1, 2, 4, 8 or 16 on Fargate.`);
  }
  const memory = props.memory;
  validateInstanceOf('memory', memory, Size, 'a Size, e.g. Size.gibibytes(2)');
  if (memory === undefined || memory.isUnresolved()) return;
  const mib = memory.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!(Number.isInteger(mib) && mib > 0)) {
    throw new ValidationError(`'memory' is ${mib} MiB: it must be a positive whole number of MiB (AWS Batch MEMORY, at least 4); give e.g. Size.mebibytes(512) or Size.gibibytes(2).`);
  }
}

/**
 * A `Ref::<name>` in the command that no parameter declares reaches the container as the literal text: AWS Batch
 * substitutes only the parameters the job definition or the submission sets.
 */
export function validateCommandReferences(command: string[] | undefined, parameters: { [name: string]: string } | undefined, prop = 'command'): void {
  if (command === undefined || Token.isUnresolved(command)) return;
  for (const arg of command) {
    if (typeof arg !== 'string' || Token.isUnresolved(arg)) continue;
    for (const [, name] of arg.matchAll(PARAMETER_REFERENCE)) {
      if (name === SCHEDULED_TIME_PARAMETER || (parameters && Object.prototype.hasOwnProperty.call(parameters, name))) continue;
      throw new ValidationError(`'${prop}' reads Ref::${name}, but 'parameters' declares no '${name}': AWS Batch would pass the text 'Ref::${name}' to the container unchanged. `
        + `Declare it with a default, e.g. parameters: { ${name}: '<default>' }, or fix the name (the run's scheduled time is Ref::${SCHEDULED_TIME_PARAMETER}).`);
    }
  }
}

/** Declared parameters: names a run may override, each with a string default. */
function validateParameters(parameters: { [name: string]: string } | undefined): void {
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (name === SCHEDULED_TIME_PARAMETER) {
      throw new ValidationError(`'parameters' declares '${name}', which every run sets to its scheduled time: choose another name (read the time as Ref::${SCHEDULED_TIME_PARAMETER}).`);
    }
    if (!PARAMETER_NAME.test(name)) {
      throw new ValidationError(`'parameters' name '${name}' is not valid: use 1 to 64 letters, digits and underscores, starting with a letter, for example 'reportDate'.`);
    }
    if (typeof value !== 'string') {
      throw new ValidationError(`'parameters' default of '${name}' is ${JSON.stringify(value)} (${typeof value}): AWS Batch parameters are strings. Quote it, for example '${name}': '${String(value)}'.`);
    }
    if (!Token.isUnresolved(value) && value.length > PARAMETER_VALUE_MAX) {
      throw new ValidationError(`'parameters' default of '${name}' is ${value.length} characters: at most ${PARAMETER_VALUE_MAX}, the longest value a run may give it.`);
    }
  }
}
