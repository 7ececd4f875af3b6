import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';

/**
 * What makes a job's new job-definition revision reachable only once its deploy-time verification has succeeded: the
 * job's gates (each `DeployVerification`'s custom resource) and the job's consumers (whatever names the revision and can
 * submit it: a schedule, a run state machine and its role, a `RunApi` route and its role, the policy `grantSubmit`
 * adds to a grantee). Every consumer depends on every gate, whichever is registered first. Kept under the job (a
 * node-scoped singleton without resources), so state lives in the construct tree.
 *
 * A consumer outside the gate's stack is not linked: a consumer in another top-level stack names the job definition
 * through a stack export, one outside the job's nested stack (a `BatchFleet`'s) through that stack's outputs; either
 * way it deploys only after the job's stack, verification included, has finished (and a dependency would be a stack
 * dependency that could close a cycle, or a DependsOn that repeats a reference). A gate in another stack than its job
 * is not registered (the caller warns): a consumer in the job's stack would depend on a stack that depends on it.
 */
export class RevisionGates extends Construct {
  /** The gates and consumers of `job`. */
  public static of(job: IConstruct): RevisionGates {
    return (job.node.tryFindChild(ID) as RevisionGates | undefined) ?? new RevisionGates(job, ID);
  }

  private readonly gates: IConstruct[] = [];
  private readonly consumers: IConstruct[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** What must be deployed before a new revision may be submitted; every consumer, earlier or later, waits for it. */
  public addGate(gate: IConstruct): void {
    this.gates.push(gate);
    for (const consumer of this.consumers) link(consumer, gate);
  }

  /**
   * A principal granted to submit the job (`grantSubmit`): when it is a construct (a role, or an imported one with
   * the policy the grant created under it), it and its policies wait for every gate. A principal that is no construct
   * (an account, a service) has no policy of this app to hold back. The policy alone cannot be named here: a role's
   * `policyDependable` is filled only when the app is synthesized.
   */
  public addPrincipal(principal: iam.IPrincipal): void {
    if (Construct.isConstruct(principal)) this.addConsumer(principal);
  }

  /**
   * What names the revision and can submit it: it waits for every gate, earlier or later. What the job or a gate is
   * built of is left out: a job that may submit itself would otherwise make its own job definition wait for its
   * verification.
   */
  public addConsumer(consumer: IDependable): void {
    const job = this.node.scope!;
    for (const root of Dependable.of(consumer).dependencyRoots) {
      if (isWithin(root, job) || this.gates.some(g => isWithin(root, g.node.scope!))) continue;
      this.consumers.push(root);
      for (const gate of this.gates) link(root, gate);
    }
  }
}

const ID = 'RevisionGates';

function link(consumer: IConstruct, gate: IConstruct): void {
  // The gate's stack is the consumer's or encloses it (the consumer is in a nested stack of it): CloudFormation orders
  // them through a DependsOn, on the nested stack's resource where the two differ; a reference to the job definition
  // from there would wait for the job definition only, not for its verification.
  for (let stack: Stack | undefined = Stack.of(consumer); stack; stack = stack.nestedStackParent) {
    if (stack === Stack.of(gate)) {
      consumer.node.addDependency(gate);
      return;
    }
  }
  // Otherwise the gate is in a nested stack the consumer is outside of (a BatchFleet's, the consumer in the parent or
  // another nested stack of it): what in the consumer names the revision reads it from that stack's outputs, which
  // CloudFormation gives only once the nested stack, its verification included, is complete. That reference orders
  // it; a DependsOn on the nested stack's resource would repeat it (cfn-lint W3005), and the parts of the consumer
  // that do not name the revision submit nothing. Another top-level stack: its stack export orders it (see above).
}

function isWithin(c: IConstruct, ancestor: IConstruct): boolean {
  return c.node.scopes.includes(ancestor);
}
