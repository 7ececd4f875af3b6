/**
 * Integration app for BatchAlarms: the two example stacks of test/fixtures/alarms.ts (a dedicated queue with every
 * option, and a shared queue with a KMS-encrypted topic).
 *
 * Without an account it only synthesizes. To deploy it, point it at an existing job queue and job definition:
 *
 *   npx cdk deploy --app 'npx ts-node -P test/tsconfig.json test/alarms.integ.ts' --all \
 *     -c alarmsJobQueueArn=arn:aws:batch:<region>:<account>:job-queue/<name> \
 *     -c alarmsJobDefinitionArn=arn:aws:batch:<region>:<account>:job-definition/<name>:<revision>
 *
 * Then submit a job that fails (e.g. `exit 1`): expect one SNS message with the exit code and log stream, the
 * failed-jobs alarm in ALARM within ~5 minutes.
 * Destroy with the same `--app` and `npx cdk destroy --all`.
 */
import { stacks } from './fixtures/alarms';
import { integApp } from './integ-app';

const app = integApp();
stacks(app);
app.synth();
