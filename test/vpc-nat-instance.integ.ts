// Integration-test app for CostOptimizedVpc: the default profile: one NAT instance (t4g.nano, ~$7.56/month idle).
//
// Synthesizes without an AWS account:
//   npx ts-node -P test/tsconfig.json test/vpc-nat-instance.integ.ts
// Deploy (and destroy) with an account; every stack is environment-agnostic:
//   npx cdk deploy --app 'npx ts-node -P test/tsconfig.json test/vpc-nat-instance.integ.ts' --all
//   npx cdk destroy --app 'npx ts-node -P test/tsconfig.json test/vpc-nat-instance.integ.ts' --all
// What to check after deploying: the stack creates, the flow log delivers to its log group, and (for NAT profiles)
// an instance in a private subnet reaches https://ecr.us-east-1.amazonaws.com.
import { natInstanceStack } from './fixtures/vpc';
import { integApp } from './integ-app';

const app = integApp();
natInstanceStack(app);
app.synth();
