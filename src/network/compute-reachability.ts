import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IConstruct } from 'constructs';
import { CostOptimizedVpc } from './cost-optimized-vpc';
import { ComputePlatform, ComputeRequirements } from '../compute/compute-platform';
import { rejectUnknownKeys } from '../private/struct-keys';
import {
  NO_REQUIREMENTS,
  RequirementFlags,
  S3_GATEWAY_NAME,
  requiredInterfaceEndpoints,
  serviceNameIs,
  unionRequirements,
} from './private/vpc-endpoints';
import { inHostSpelling, inHostSpellingEach } from '../private/prop-names';

/** What `require` and `requiredInterfaceEndpoints` assume when no requirements are given: the larger endpoint set. */
const DEFAULT_REQUIREMENTS: ComputeRequirements = { platform: ComputePlatform.EC2 };

/** Warning ID users acknowledge when the guard cannot decide (imported VPCs, imported subnets). */
const UNVERIFIED_WARNING_ID = 'cdk-scheduled-batch:unverifiedReachability';

/** What was registered for one subnet of one VPC. */
interface SubnetEntry {
  readonly subnet: ec2.ISubnet;
  flags: RequirementFlags;
  readonly consumers: IConstruct[];
}

/**
 * What was required of one VPC (subnet ID → entry), kept in the construct tree: a node-scoped singleton child of the
 * VPC, which also registers the VPC's validation once.
 */
class Requirements extends Construct {
  public static of(vpc: ec2.IVpc): Map<string, SubnetEntry> {
    const id = 'cdk-scheduled-batch.ComputeRequirements';
    return ((vpc.node.tryFindChild(id) as Requirements | undefined) ?? new Requirements(vpc, id)).entries;
  }

  public readonly entries = new Map<string, SubnetEntry>();

  private constructor(vpc: ec2.IVpc, id: string) {
    super(vpc, id);
    vpc.node.addValidation({ validate: () => inHostSpellingEach(validateVpc(vpc, this.entries)) });
  }
}

/**
 * A synth-time guard: compute placed in subnets without a route to a NAT or an internet gateway must have the VPC
 * endpoints it needs, or jobs sit in RUNNABLE forever (EC2 container instances never register with ECS; no image can
 * be pulled).
 *
 * - `CostOptimizedVpc`: the requirements are added to the VPC (which creates the endpoints in the endpoints profile)
 *   and the selected subnets are checked like any other VPC's.
 * - A VPC defined in the app (`ec2.Vpc`): a validation fails synthesis, naming the missing endpoints, when a selected
 *   subnet has no `0.0.0.0/0` route and a required endpoint is missing. Endpoints added after the call count.
 * - An imported VPC (`Vpc.fromLookup` / `fromVpcAttributes`): its routes are not in the app, so unless it is a public
 *   subnet or every required endpoint is found in the app, an acknowledgeable warning
 *   `cdk-scheduled-batch:unverifiedReachability` names the endpoints it could not find. The warning is added at
 *   synthesis: acknowledge it on a construct enclosing the compute (e.g. the workload or the stack).
 *
 * Several calls for the same subnets union their requirements (e.g. EC2 compute + a job with Secrets Manager secrets).
 *
 * The requirements are the last parameter of both methods: Python takes their fields as keyword arguments
 * (`ComputeReachability.require(compute, vpc, platform=ComputePlatform.FARGATE, secrets_manager=True)`,
 * `ComputeReachability.required_interface_endpoints(platform=ComputePlatform.FARGATE)`), and every field is optional.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * // Fargate jobs reading Secrets Manager secrets, in the VPC's isolated subnets: synthesis fails unless the VPC has
 * // the ecr.api, ecr.dkr, logs and secretsmanager endpoints and the S3 gateway endpoint.
 * ComputeReachability.require(this, vpc, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, {
 *   platform: ComputePlatform.FARGATE,
 *   secretsManager: true,
 * });
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/vpc-endpoint-considerations.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
 */
export class ComputeReachability {
  /**
   * Registers compute that runs in `subnets` of `vpc` and what it needs to reach.
   *
   * @param scope the compute construct (named in error messages; warnings are added to it)
   * @param vpc the VPC the compute runs in
   * @param subnets the subnets the compute runs in; default: `computeSubnets` of a CostOptimizedVpc, else the VPC's
   * default selection (private subnets)
   * @param requirements what the compute needs (Python: keyword arguments `platform`, `secrets_manager`,
   * `ssm_parameters`); default: EC2 compute without secrets, the larger endpoint set of the two platforms. Optional
   * because jsii forbids a required parameter after the optional `subnets`.
   */
  public static require(
    scope: Construct,
    vpc: ec2.IVpc,
    subnets?: ec2.SubnetSelection,
    requirements: ComputeRequirements = DEFAULT_REQUIREMENTS,
  ): void {
    rejectUnknownKeys('ComputeRequirements', requirements);
    if (vpc instanceof CostOptimizedVpc) {
      vpc.addComputeRequirements(requirements);
    }
    const selection = subnets ?? (vpc instanceof CostOptimizedVpc ? vpc.computeSubnets : undefined);
    const selected = vpc.selectSubnets(selection).subnets;

    const entries = Requirements.of(vpc);
    for (const subnet of selected) {
      const entry = entries.get(subnet.subnetId);
      if (entry) {
        entry.flags = unionRequirements(entry.flags, requirements);
        if (!entry.consumers.includes(scope)) {
          entry.consumers.push(scope);
        }
      } else {
        entries.set(subnet.subnetId, { subnet, flags: unionRequirements(NO_REQUIREMENTS, requirements), consumers: [scope] });
      }
    }
  }

  /**
   * Short names of the interface endpoints (`com.amazonaws.<region>.<name>`) that compute with these requirements needs
   * when its subnets have no route to a NAT or an internet gateway. The S3 gateway endpoint is needed as well.
   *
   * @param requirements what the compute needs (Python: keyword arguments, e.g.
   * `ComputeReachability.required_interface_endpoints(platform=ComputePlatform.FARGATE)`); default: EC2 compute
   * without secrets
   */
  public static requiredInterfaceEndpoints(requirements: ComputeRequirements = DEFAULT_REQUIREMENTS): string[] {
    rejectUnknownKeys('ComputeRequirements', requirements);
    return requiredInterfaceEndpoints(unionRequirements(NO_REQUIREMENTS, requirements)).map(e => e.name);
  }

  private constructor() {}
}

/** The finding for one subnet: endpoints missing, or undecidable. */
interface SubnetFinding {
  readonly entry: SubnetEntry;
  readonly missing: string[];
}

function validateVpc(vpc: ec2.IVpc, entries: Map<string, SubnetEntry>): string[] {
  const concrete = vpc instanceof ec2.Vpc;
  const all = vpc.node.root.node.findAll();
  const routes = all.filter((c): c is ec2.CfnRoute => c instanceof ec2.CfnRoute);
  const endpoints = all.filter((c): c is ec2.CfnVPCEndpoint => c instanceof ec2.CfnVPCEndpoint && c.vpcId === vpc.vpcId);
  const publicSubnetIds = new Set(vpc.publicSubnets.map(s => s.subnetId));

  const failures: SubnetFinding[] = [];
  const unverified: SubnetFinding[] = [];
  for (const entry of entries.values()) {
    const routeTableId = entry.subnet.routeTable?.routeTableId;
    const decidable = concrete && routeTableId !== undefined && vpcOwnsSubnet(vpc, entry.subnet);
    if (decidable && hasDefaultRoute(routes, routeTableId)) {
      continue;
    }
    if (!decidable && publicSubnetIds.has(entry.subnet.subnetId)) {
      // An imported public subnet routes to an internet gateway by definition.
      continue;
    }
    const missing = missingEndpoints(endpoints, entry, routeTableId);
    if (missing.length === 0) {
      continue;
    }
    (decidable ? failures : unverified).push({ entry, missing });
  }

  for (const finding of unverified) {
    for (const consumer of finding.entry.consumers) {
      Annotations.of(consumer).addWarningV2(UNVERIFIED_WARNING_ID,
        inHostSpelling(`Cannot verify that compute in subnet ${finding.entry.subnet.subnetId} of the imported VPC ${vpc.node.path} reaches ECS/ECR/CloudWatch Logs: `
        + `its routes are not part of this app and these VPC endpoints were not found in it: ${finding.missing.join(', ')}. `
        + 'If the subnet has no route to a NAT or internet gateway, jobs stay RUNNABLE forever: add the endpoints '
        + '(vpc.addInterfaceEndpoint with private DNS, and an S3 gateway endpoint) or use subnets with a NAT route. '
        + 'Acknowledge this warning once verified.'));
    }
  }

  return failures.map(f => {
    const consumers = f.entry.consumers.map(c => c.node.path).join(', ');
    return `Compute ${consumers} is placed in subnet ${f.entry.subnet.node.path} of ${vpc.node.path}, which has no route to a NAT or internet gateway, `
      + `and the VPC has no VPC endpoint for: ${f.missing.join(', ')}. Without them EC2 container instances never register with ECS, `
      + 'images cannot be pulled and jobs stay RUNNABLE forever. Fix: add the missing endpoints '
      + '(vpc.addInterfaceEndpoint(..., { service: ec2.InterfaceVpcEndpointAwsService.<SERVICE> }) with private DNS, '
      + 'vpc.addGatewayEndpoint(..., { service: ec2.GatewayVpcEndpointAwsService.S3 }) on the subnet\'s route table), '
      + 'place the compute in subnets with a NAT route, or use CostOptimizedVpc with EgressProfile.vpcEndpoints(), which creates them.';
  });
}

function vpcOwnsSubnet(vpc: ec2.IVpc, subnet: ec2.ISubnet): boolean {
  return [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets].some(s => s === subnet);
}

/** Any `0.0.0.0/0` route in the app on this route table counts as a path out (IGW, NAT, TGW, ...). */
function hasDefaultRoute(routes: ec2.CfnRoute[], routeTableId: string): boolean {
  return routes.some(r => r.routeTableId === routeTableId && r.destinationCidrBlock === '0.0.0.0/0');
}

function missingEndpoints(endpoints: ec2.CfnVPCEndpoint[], entry: SubnetEntry, routeTableId: string | undefined): string[] {
  const missing: string[] = [];
  for (const spec of requiredInterfaceEndpoints(entry.flags)) {
    const found = endpoints.some(e => e.vpcEndpointType === 'Interface'
      && e.privateDnsEnabled !== false
      && e.serviceName !== undefined && serviceNameIs(e, e.serviceName, spec.name));
    if (!found) {
      missing.push(spec.name);
    }
  }
  const needsS3 = entry.flags.ec2 || entry.flags.fargate;
  const s3 = endpoints.some(e => e.vpcEndpointType === 'Gateway'
    && e.serviceName !== undefined && serviceNameIs(e, e.serviceName, S3_GATEWAY_NAME)
    && (routeTableId === undefined || !Array.isArray(e.routeTableIds) || e.routeTableIds.includes(routeTableId)));
  if (needsS3 && !s3) {
    missing.push(`${S3_GATEWAY_NAME} (gateway)`);
  }
  return missing;
}
