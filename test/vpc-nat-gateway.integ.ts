// Integration-test app for CostOptimizedVpc: one NAT gateway per AZ (~$73.00/month idle).
//
// Synthesizes without an AWS account:
//   npx ts-node -P test/tsconfig.json test/vpc-nat-gateway.integ.ts
// Deploy (and destroy) with an account; every stack is environment-agnostic:
//   npx cdk deploy --app 'npx ts-node -P test/tsconfig.json test/vpc-nat-gateway.integ.ts' --all
//   npx cdk destroy --app 'npx ts-node -P test/tsconfig.json test/vpc-nat-gateway.integ.ts' --all
// What to check after deploying: the stack creates, the flow log delivers to its log group, and (for NAT profiles)
// an instance in a private subnet reaches https://ecr.us-east-1.amazonaws.com.
import { natGatewayStack } from './fixtures/vpc';
import { integApp } from './integ-app';

const app = integApp();
natGatewayStack(app);
app.synth();
