/**
 * Integration-test app for SpotComputeEnvironment: EC2 Spot (with an On-Demand fallback) and Fargate Spot,
 * each in the default CostOptimizedVpc (one NAT instance). Both scale to zero: the compute itself costs nothing
 * until a job runs.
 *
 * Deploy with an account:
 *   npx cdk deploy --app 'npx ts-node -P test/tsconfig.json test/compute.integ.ts' --all
 * Then check that the compute environments are VALID:
 *   aws batch describe-compute-environments --query 'computeEnvironments[].[computeEnvironmentName,status,state]'
 * Destroy with `npx cdk destroy --app '...' --all`.
 */
import { stacks } from './fixtures/compute';
import { integApp } from './integ-app';

const app = integApp();
stacks(app);
app.synth();
