// Integration-test app for CostOptimizedVpc: VPC endpoints only: EC2 set in 2 AZs + Secrets Manager (~$102.20/month) and Fargate set in 1 AZ (~$21.90/month).
//
// Synthesizes without an AWS account:
//   npx ts-node -P test/tsconfig.json test/vpc-endpoints.integ.ts
// Deploy (and destroy) with an account; every stack is environment-agnostic:
//   npx cdk deploy --app 'npx ts-node -P test/tsconfig.json test/vpc-endpoints.integ.ts' --all
//   npx cdk destroy --app 'npx ts-node -P test/tsconfig.json test/vpc-endpoints.integ.ts' --all
// What to check after deploying: the stack creates, the flow log delivers to its log group, and (for NAT profiles)
// an instance in a private subnet reaches https://ecr.us-east-1.amazonaws.com.
import { endpointsEc2Stack, endpointsFargateStack } from './fixtures/vpc';
import { integApp } from './integ-app';

const app = integApp();
endpointsEc2Stack(app);
endpointsFargateStack(app);
app.synth();
