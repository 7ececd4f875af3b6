import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct, IDependable } from 'constructs';
import { IBatchJob } from '../jobs/batch-job-ref';
import { jobsArn, tagOnSubmitStatement } from '../private/job-tags';
import { acknowledgeWildcardResource } from '../private/nag';
import {
  DESCRIBE_JOB_TEMPLATE, ERROR_RESPONSE, routeNameFrom, runRequestSchema, startExecutionTemplate, STARTED_RESPONSE, statusResponseTemplate,
  submitJobTemplate, SUBMITTED_RESPONSE,
} from './private/run-api-templates';
import { validateArraySize } from '../private/array-size';
import { logEncryption, skipLogKeyCheckWithoutKey } from '../private/log-encryption';
import { inHostSpellingEach, ValidationError } from '../private/prop-names';
import { RevisionGates } from '../private/revision-gate';
import { rejectUnknownKeys } from '../private/struct-keys';
import { validateRouteName } from './private/route-name';
import { describeTyped, validateLogRetention, validateWholeNumber } from '../private/validate';

/** Defaults of {@link RunApi}, in one place. */
export const RUN_API_DEFAULTS = {
  stageName: 'v1',
  /** Requests per second, steady (a person or a pipeline starting runs, not a load test). */
  throttlingRateLimit: 5,
  throttlingBurstLimit: 10,
  accessLogRetention: logs.RetentionDays.ONE_YEAR,
} as const;


/** Properties of a {@link RunApi}. */
export interface RunApiProps {
  /**
   * Steady-state requests per second the stage accepts (API Gateway throttling): a number above 0, fractions allowed.
   * @default 5
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests the stage accepts: a whole number, at least 1.
   * @default 10
   */
  readonly throttlingBurstLimit?: number;
  /**
   * How long the access log (one line per request, with the caller's IAM identity) is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * KMS key to encrypt the access log with. Its key policy gets the statement CloudWatch Logs needs (the
   * `logs.<region>.amazonaws.com` service principal, for log groups of this account and region) when the key is of this
   * app; an imported key's policy must hold it.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - CloudWatch Logs' own encryption
   */
  readonly accessLogEncryptionKey?: kms.IKey;
}

/** Options of one workload's routes on a {@link RunApi}. */
export interface RunApiRouteOptions {
  /**
   * The route's path segment, `/workloads/<routeName>/runs`: lower-case letters, digits and hyphens, unique in the API.
   * @default - the job's construct id in lower case, with other characters turned into hyphens
   */
  readonly routeName?: string;

  /**
   * Submit each run as an AWS Batch array job of this many children (2 to 10,000), as the workload's schedule does
   * (`arraySize` of a `ScheduledBatchWorkload`).
   * @default - a single job per run
   */
  readonly arraySize?: number;

  /**
   * Something else that must be deployed before the route can submit the job: the route's resources and methods, and
   * the API's integration role, wait for it. Not needed for a `DeployVerification` of the job (a workload's
   * `verifyOnDeploy` included): the route waits for every verification of the job by itself.
   * @default - nothing besides the job's verifications
   */
  readonly waitFor?: IDependable;

  /**
   * Start each run as an execution of this state machine (the job's `RunTracker`'s) instead of submitting the job:
   * the run then goes through the run engine like a scheduled one (its rollout, overlap policy, deadline and one
   * message). The execution is named `api-<request id>`, its input is the request body (`scheduledTime`,
   * `parameters`), and the POST returns `{"executionArn", "startDate"}`; the job's name ends with the last 12 hex
   * digits of the request id. A `ScheduledBatchWorkload` with a `rollout` passes its tracker's.
   * @default - the route submits the job itself (SubmitJob) and returns the job
   */
  readonly stateMachine?: sfn.IStateMachine;
}

/**
 * An authenticated API that starts runs of scheduled Batch jobs now, and reads their status; one API serves many
 * jobs of a stack. API Gateway REST API, IAM (SigV4) authorization on every method, request validation by a JSON
 * schema model, and a direct AWS integration to AWS Batch (no Lambda):
 *
 * - `POST /workloads/{routeName}/runs` with `{"scheduledTime": "2026-12-01T06:00:00Z", "parameters": {...}}` submits
 *   the job (SubmitJob) and returns `{"jobId", "jobName", "jobArn"}`. Only the declared parameters can be given; the
 *   scheduled time reaches the job as the `scheduledTime` parameter and the `SCHEDULED_TIME` variable, as from the
 *   schedule.
 * - `GET /workloads/{routeName}/runs/{jobId}` returns `{"jobId", "jobName", "status", "statusReason", "scheduledTime",
 *   "createdAt", "startedAt", "stoppedAt"}` of a run of that job (scheduled or not), else 404.
 *
 * Access logging and throttling are on. Grant callers with `grantRun` (exactly one route).
 *
 * @example
 * declare const job: BatchJob;
 * const api = new RunApi(this, 'RunApi');
 * api.addJob(job, { routeName: 'nightly-report' });
 * declare const operators: iam.IRole;
 * api.grantRun(operators, 'nightly-report');
 */
export class RunApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The role API Gateway calls AWS Batch with. */
  public readonly integrationRole: iam.Role;
  /** The access log. */
  public readonly accessLogGroup: logs.LogGroup;
  private readonly workloads: apigw.Resource;
  private readonly validator: apigw.RequestValidator;
  private readonly routes = new Map<string, string>();
  /** The job names of the routes: the values the integration role may tag runs with. */
  private readonly taggedWorkloads: string[] = [];

  constructor(scope: Construct, id: string, props: RunApiProps = {}) {
    super(scope, id);
    rejectUnknownKeys('RunApiProps', props);
    validateLogRetention('accessLogRetention', props.accessLogRetention);
    validateThrottling(props);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RUN_API_DEFAULTS.accessLogRetention,
      removalPolicy: RemovalPolicy.RETAIN,
      ...logEncryption(this, props.accessLogEncryptionKey),
    });
    skipLogKeyCheckWithoutKey(this.accessLogGroup, props.accessLogEncryptionKey, 'Access log lines (caller, route, status)', 'accessLogEncryptionKey');
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Starts runs of scheduled AWS Batch jobs and reads their status (IAM-authorized)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName: RUN_API_DEFAULTS.stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        throttlingRateLimit: props.throttlingRateLimit ?? RUN_API_DEFAULTS.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? RUN_API_DEFAULTS.throttlingBurstLimit,
        tracingEnabled: true,
      },
    });
    this.integrationRole = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'API Gateway submits and describes the jobs of the run API',
    });
    // DescribeJobs has no resource-level permission; the status route shows only the route's own jobs (404 otherwise).
    this.integrationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] }));
    acknowledgeWildcardResource(this.integrationRole, '*',
      'batch:DescribeJobs has no resource-level permissions: IAM requires "*". The status route returns a job only when it is a run of that route\'s job on its queue.');
    acknowledgeWildcardResource(this.integrationRole, jobsArn(this), 'batch:TagResource (each run is tagged with its workload tag as it is submitted) acts '
      + 'on job ids that exist only once submitted; it is conditioned on the one tag key (cdk-scheduled-batch:workload) and the routes\' workload values.');
    this.workloads = this.api.root.addResource('workloads');
    // One validator for every method: POST bodies against their model, GET path parameters present.
    this.validator = this.api.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.acknowledgeFindings();
    // API Gateway deploys no API without a method; say which construct gives it one.
    this.node.addValidation({
      validate: () => inHostSpellingEach(this.routes.size > 0 ? [] : [`RunApi ${this.node.path} has no routes: pass it as 'runApi' of a `
        + 'ScheduledBatchWorkload, call addJob, or remove it.']),
    });
  }

  /**
   * Add the run and status routes of `job`, which must be in this API's stack or in one of its nested stacks (a
   * `BatchFleet`'s). Returns the route name. The route submits a new revision of the job only once every
   * `DeployVerification` of the job has succeeded, whether it was created before or after this call: its resources and
   * methods, and the integration role, wait for them. For a job in a nested stack (a `BatchFleet`'s), the POST method
   * and the role's policy read the revision from that stack's outputs, which CloudFormation gives once the nested
   * stack, its verification included, is complete.
   */
  public addJob(job: IBatchJob, options: RunApiRouteOptions = {}): string {
    rejectUnknownKeys('RunApiRouteOptions', options);
    const routeName = options.routeName ?? routeNameFrom(job.node.id);
    validateArraySize('arraySize', options.arraySize);
    this.validateRoute(job, routeName);
    this.routes.set(routeName, job.node.path);
    // SubmitJob with the workload tag (src/private/job-tags.ts): the template tags each run. One tagging statement for
    // every route, its values added as routes are.
    job.grantSubmit(this.integrationRole);
    if (this.taggedWorkloads.length === 0) this.integrationRole.addToPrincipalPolicy(tagOnSubmitStatement(this, this.taggedWorkloads));
    this.taggedWorkloads.push(job.jobName);

    const declared = Object.keys(job.parameters);
    const route = this.workloads.addResource(routeName);
    // The route and the role name the job's revision: a new one is submitted only once it is verified.
    RevisionGates.of(job).addConsumer(route);
    RevisionGates.of(job).addConsumer(this.integrationRole);
    if (options.waitFor) {
      route.node.addDependency(options.waitFor);
      this.integrationRole.node.addDependency(options.waitFor);
    }
    const runs = route.addResource('runs');
    const model = this.api.addModel(`RunRequest${modelSuffix(routeName)}`, {
      contentType: 'application/json',
      schema: runRequestSchema(declared) as apigw.JsonSchema,
      description: `A run of ${routeName}: its scheduled time and declared parameters`,
    });
    const jobQueueArn = job.jobQueue.jobQueueArn;
    const run = runs.addMethod('POST', options.stateMachine ? this.startExecutionIntegration(options.stateMachine) : this.batchIntegration('v1/submitjob', submitJobTemplate({
      jobName: job.jobName, jobQueueArn, jobDefinitionArn: job.jobDefinitionArn, declared, arraySize: options.arraySize, share: job,
    }), SUBMITTED_RESPONSE), {
      requestValidator: this.validator,
      requestModels: { 'application/json': model },
      methodResponses: METHOD_RESPONSES,
    });
    const status = runs.addResource('{jobId}').addMethod('GET', this.batchIntegration('v1/describejobs', DESCRIBE_JOB_TEMPLATE,
      statusResponseTemplate(job.jobName, jobQueueArn)), {
      requestValidator: this.validator,
      requestParameters: { 'method.request.path.jobId': true },
      methodResponses: [...METHOD_RESPONSES, { statusCode: '404' }],
    });
    for (const method of [run, status]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Callers are AWS principals (operators, pipelines, other services) and authenticate with IAM (SigV4), which grantRun scopes to one route; a Cognito user pool is for end users of an app.',
      });
    }
    return routeName;
  }

  /** A route name that is well formed and free, for a job this API's stack can reach. */
  private validateRoute(job: IBatchJob, routeName: string): void {
    validateRouteName('routeName', routeName, job);
    const taken = this.routes.get(routeName);
    if (taken !== undefined) {
      throw new ValidationError(`'routeName' '${routeName}' of ${job.node.path} is already the route of ${taken} on ${this.node.path}: give one of them another 'routeName' (runApiRouteName on a ScheduledBatchWorkload).`);
    }
    const sameModel = [...this.routes.keys()].find(r => modelSuffix(r) === modelSuffix(routeName));
    if (sameModel !== undefined) {
      throw new ValidationError(`'routeName' '${routeName}' of ${job.node.path} and '${sameModel}' of ${this.routes.get(sameModel)} on ${this.node.path} differ only in hyphens, `
        + `which the API's request model names leave out (both would be RunRequest${modelSuffix(routeName)}): give one of them another 'routeName' (runApiRouteName on a ScheduledBatchWorkload).`);
    }
    // A job in a nested stack of this API's stack (a BatchFleet's) is reached through the nested stack's outputs.
    if (Stack.of(job) !== Stack.of(this) && Stack.of(job).nestedStackParent !== Stack.of(this)) {
      throw new ValidationError(`${job.node.path} is in stack ${Stack.of(job).stackName} but the RunApi ${this.node.path} is in ${Stack.of(this).stackName}: `
        + 'the route names the job definition\'s revision, which changes with every change of the job, and across stacks that is a stack export, '
        + 'which CloudFormation does not let change while another stack uses it. Create a RunApi in the job\'s stack, or put the job in a nested stack of the API\'s stack (a BatchFleet).');
    }
  }

  /**
   * Allow `grantee` to start runs of one route's job and read their status (`execute-api:Invoke` on exactly
   * `POST /workloads/<routeName>/runs` and `GET /workloads/<routeName>/runs/*` of this API's stage).
   */
  public grantRun(grantee: iam.IGrantable, routeName: string): iam.Grant {
    if (!Token.isUnresolved(routeName) && !this.routes.has(routeName)) {
      throw new ValidationError(`'routeName' '${routeName}' is not a route of ${this.node.path}; its routes are: ${[...this.routes.keys()].join(', ') || 'none (call addJob first)'}.`);
    }
    const stage = this.api.deploymentStage.stageName;
    const statusArn = this.api.arnForExecuteApi('GET', `/workloads/${routeName}/runs/*`, stage);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('POST', `/workloads/${routeName}/runs`, stage), statusArn],
    });
    const principal = grantee.grantPrincipal as Partial<IConstruct>;
    if (principal.node) {
      acknowledgeWildcardResource(principal as IConstruct, statusArn,
        `The status route of ${routeName} takes the job id in its path (GET .../runs/{jobId}); job ids exist only at run time, and the route answers only for runs of that job.`);
    }
    return grant;
  }

  /** The URL that starts runs of a route's job. */
  public runUrl(routeName: string): string {
    return this.api.urlForPath(`/workloads/${routeName}/runs`);
  }

  /** A route's run as an execution of `stateMachine` (Step Functions StartExecution, allowed on that one). */
  private startExecutionIntegration(stateMachine: sfn.IStateMachine): apigw.AwsIntegration {
    stateMachine.grantStartExecution(this.integrationRole);
    return this.batchIntegration('', startExecutionTemplate(stateMachine.stateMachineArn), STARTED_RESPONSE, 'states', 'StartExecution');
  }

  private batchIntegration(path: string, requestTemplate: string, okTemplate: string, service = 'batch', action?: string): apigw.AwsIntegration {
    return new apigw.AwsIntegration({
      service,
      ...action ? { action } : { path },
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: this.integrationRole,
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        // AWS Batch's REST API reads JSON bodies; say so whatever content type the caller sent.
        requestParameters: { 'integration.request.header.Content-Type': "'application/json'" },
        requestTemplates: { 'application/json': requestTemplate },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': okTemplate } },
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': ERROR_RESPONSE } },
          { statusCode: '502', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': ERROR_RESPONSE } },
        ],
      },
    });
  }

  /** cdk-nag findings acknowledged with their reasons (listed in docs/security.md). */
  private acknowledgeFindings(): void {
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Every method requires IAM (SigV4) authorization and the stage is throttled; AWS WAF would add $5/month plus $1 per rule for a few calls a day by known principals.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason: 'Execution logging needs the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account, one per region), which a construct library must not take over; every request is in the access log.',
    });
    (this.api.deploymentStage.node.defaultChild as apigw.CfnStage).addMetadata('checkov', {
      skip: [
        { id: 'CKV_AWS_120', comment: 'Responses are run submissions and live job states: caching them would be wrong.' },
        { id: 'CKV2_AWS_51', comment: 'Callers authenticate with IAM (SigV4); client certificates authenticate API Gateway to a backend, and the backend is AWS Batch itself.' },
        { id: 'CKV2_AWS_29', comment: 'IAM authorization on every method and stage throttling; AWS WAF would add $5/month plus $1 per rule.' },
        { id: 'CKV2_AWS_4', comment: 'Execution logging needs the account-wide API Gateway CloudWatch role, which a construct library must not take over; access logging is on.' },
      ],
    });
  }
}

/** The method responses every route declares (errors of Batch come back as 400 or 502). */
const METHOD_RESPONSES: apigw.MethodResponse[] = [{ statusCode: '200' }, { statusCode: '400' }, { statusCode: '502' }];

/**
 * The stage's throttle, checked at synth: CloudFormation takes `ThrottlingRateLimit` as a number and
 * `ThrottlingBurstLimit` as an integer; 0 would refuse every request, and NaN or Infinity cannot be written at all.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-stage-methodsetting.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
function validateThrottling(props: RunApiProps): void {
  const rate: unknown = props.throttlingRateLimit;
  if (rate !== undefined && !Token.isUnresolved(rate) && !(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) {
    throw new ValidationError(`'throttlingRateLimit' is ${describeTyped(rate, 'number')}: give the steady requests per second the stage accepts, a number above 0 (fractions allowed, e.g. 0.5), or leave it out for ${RUN_API_DEFAULTS.throttlingRateLimit}.`);
  }
  validateWholeNumber('throttlingBurstLimit', props.throttlingBurstLimit, {
    min: 1, max: MAX_INT32, why: '(API Gateway takes a 32-bit integer)', fix: `give the burst of requests the stage accepts, or leave it out for ${RUN_API_DEFAULTS.throttlingBurstLimit}`,
  });
}

/** API Gateway's `throttlingBurstLimit` is a 32-bit integer. @see https://docs.aws.amazon.com/apigateway/latest/api/API_ThrottleSettings.html */
const MAX_INT32 = 2_147_483_647;

/** Model names are alphanumeric. */
function modelSuffix(routeName: string): string {
  return routeName.split('-').map(p => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}
