/**
 * The example app: what `new ScheduledBatchWorkload(...)` deploys, alone and on a shared platform (examples/stacks.ts).
 *
 *   npx projen example        # synthesizes this app offline into examples/cdk.out and prints what it made
 *   cd examples && npx cdk deploy --all   # with an AWS account
 */
import { App } from 'aws-cdk-lib';
import { exampleStacks } from './stacks';
import { summarize } from './summary';

const app = new App();
const stacks = exampleStacks(app);
summarize(app.synth(), stacks);
