import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { inHostSpelling, ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';
import { describeTyped, validateEnum, validateInstanceOf, validateList, validateStringEntry, validateWholeNumber } from '../private/validate';

/** Defaults of {@link HardenedRepository}, in one place. */
const DEFAULTS = {
  maxTaggedImages: 10,
  untaggedImageExpiryDays: 7,
} as const;

/**
 * ECR limits.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
 * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html
 * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html
 * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationDestination.html
 * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html (repositoryName)
 */
const ECR_LIMITS = {
  maxExclusionFilters: 5,
  exclusionFilterPattern: /^[0-9a-zA-Z._*-]{1,128}$/,
  maxReplicationDestinations: 25,
  replicationRegionPattern: /^[0-9a-z-]{2,25}$/,
  registryIdPattern: /^[0-9]{12}$/,
  repositoryNamePattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  repositoryNameLength: { min: 2, max: 256 },
} as const;

/** A registry (account and region) that images of a {@link HardenedRepository} are replicated to. */
export interface ReplicationDestination {
  /** The destination region, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * The destination account (registry ID).
   * @default - the account of the stack (same-account, cross-region replication)
   */
  readonly registryId?: string;
}

/** Properties of a {@link HardenedRepository}. */
export interface HardenedRepositoryProps {
  /**
   * Name of the repository.
   * @default - a name CloudFormation generates (no hard-coded physical name, so replacement is safe)
   */
  readonly repositoryName?: string;

  /**
   * A customer-managed KMS key to encrypt images with. Without one, ECR encrypts with AES-256 (an AWS-owned key),
   * which costs nothing; a key costs $1/month plus requests.
   * @default - AES-256 server-side encryption
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Tag patterns that stay mutable while every other tag is immutable, e.g. `['latest']` for a moving tag.
   * Wildcards (`*`) are allowed; at most 5 patterns.
   * Leaving this empty makes every tag immutable, so a deployed job definition always runs the image it names.
   * @default - no exceptions: every tag is immutable
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
   */
  readonly mutableTagPatterns?: string[];

  /**
   * How many tagged images to keep; older ones are expired by the lifecycle policy.
   * @default 10
   */
  readonly maxTaggedImages?: number;

  /**
   * How long an untagged image is kept before the lifecycle policy expires it. Whole days, at least one.
   * @default Duration.days(7)
   */
  readonly untaggedImageExpiry?: Duration;

  /**
   * Policy to apply when the repository is removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Replicate this repository's images to other regions or accounts.
   *
   * ECR replication is configured once per account and region for the whole registry
   * (`AWS::ECR::ReplicationConfiguration`): deploying it replaces any replication configuration the account already
   * has in that region, and only one repository per account and region in an app may set this.
   * The rule created here is filtered to this repository's name. ECR replicates across Regions and accounts only:
   * a destination in the stack's own account and Region fails at synth.
   * @default - no replication
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html
   */
  readonly replicationDestinations?: ReplicationDestination[];
}

/**
 * An ECR repository with the settings a production image store needs: scan on push, encryption at rest,
 * immutable tags, lifecycle rules and retention on removal.
 *
 * It is an `ecr.Repository`, so the usual grants apply: give a Batch execution role what it needs to pull with
 * `repository.grantPull(executionRole)`.
 *
 * @example
 * const repository = new HardenedRepository(this, 'Images', {
 *   maxTaggedImages: 20,
 *   mutableTagPatterns: ['latest'],
 * });
 * const image = ecs.ContainerImage.fromEcrRepository(repository, 'v1.2.3');
 */
export class HardenedRepository extends ecr.Repository {
  /** The replication configuration, when `replicationDestinations` is set. */
  public readonly replicationConfiguration?: ecr.CfnReplicationConfiguration;

  constructor(scope: Construct, id: string, props: HardenedRepositoryProps = {}) {
    rejectUnknownKeys('HardenedRepositoryProps', props);
    validatePropTypes(props);
    const maxTaggedImages = props.maxTaggedImages ?? DEFAULTS.maxTaggedImages;
    const untaggedImageExpiry = props.untaggedImageExpiry ?? Duration.days(DEFAULTS.untaggedImageExpiryDays);
    validateMaxTaggedImages(maxTaggedImages);
    validateUntaggedExpiry(untaggedImageExpiry);
    const exclusions = props.mutableTagPatterns ?? [];
    validateMutableTagPatterns(exclusions);

    super(scope, id, {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      encryption: props.encryptionKey ? ecr.RepositoryEncryption.KMS : ecr.RepositoryEncryption.AES_256,
      encryptionKey: props.encryptionKey,
      imageTagMutability: exclusions.length > 0 ? ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION : ecr.TagMutability.IMMUTABLE,
      imageTagMutabilityExclusionFilters: exclusions.length > 0
        ? exclusions.map(p => ecr.ImageTagMutabilityExclusionFilter.wildcard(p))
        : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          rulePriority: 1,
          description: `Expire untagged images after ${untaggedImageExpiry.toDays()} days`,
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: untaggedImageExpiry,
        },
        {
          rulePriority: 2,
          description: `Keep the ${maxTaggedImages} most recent tagged images`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPatternList: ['*'],
          maxImageCount: maxTaggedImages,
        },
      ],
    });
    if (exclusions.some(p => !Token.isUnresolved(p) && /^\*+$/.test(p))) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:everyTagMutable',
        inHostSpelling('\'mutableTagPatterns\' holds \'*\', which matches every tag: no tag is immutable, so a push can replace the image a tag already names. '
        + 'List only the moving tags, e.g. [\'latest\'], or acknowledge this warning.'));
    }

    const cfn = this.node.defaultChild as ecr.CfnRepository;
    if (!props.encryptionKey) {
      // The L2 leaves AES-256 implicit (it is ECR's default); state it so the template says what it does.
      cfn.encryptionConfiguration = { encryptionType: 'AES256' };
    }
    // checkov findings that only apply to deliberate choices, skipped in the template itself so that checkov run by a
    // user on the synthesized template is clean, each only where it applies (listed in docs/security.md).
    const checkovSkips = checkovSkipsFor(exclusions.length > 0, props.encryptionKey !== undefined);
    if (checkovSkips.length > 0) {
      cfn.addMetadata('checkov', { skip: checkovSkips });
    }

    if (props.replicationDestinations && props.replicationDestinations.length > 0) {
      this.replicationConfiguration = this.configureReplication(props.replicationDestinations);
    }
  }

  private configureReplication(destinations: ReplicationDestination[]): ecr.CfnReplicationConfiguration {
    if (destinations.length > ECR_LIMITS.maxReplicationDestinations) {
      throw new ValidationError(`'replicationDestinations' may list at most ${ECR_LIMITS.maxReplicationDestinations} destinations, got ${destinations.length}: ECR allows 25 per replication configuration.`);
    }
    const stack = Stack.of(this);
    validateList('replicationDestinations', destinations, 'destination', "[{ region: 'eu-west-1' }]");
    destinations.forEach((d, i) => validateReplicationDestination(d, i, stack));
    refuseRepeatedDestination(destinations, stack);
    claimRegistryReplication(this, stack);
    Annotations.of(this).addWarningV2('cdk-scheduled-batch:ecrReplicationIsRegistryWide',
      inHostSpelling('ECR replication is one registry-wide setting per account and region: deploying this stack replaces any replication configuration that account already has in that region. Acknowledge this warning once you have checked there is none, or move all rules into this one configuration.'));

    return new ecr.CfnReplicationConfiguration(this, 'Replication', {
      replicationConfiguration: {
        rules: [{
          destinations: destinations.map(d => ({ region: d.region, registryId: d.registryId ?? stack.account })),
          repositoryFilters: [{ filter: this.repositoryName, filterType: 'PREFIX_MATCH' }],
        }],
      },
    });
  }
}

/**
 * The checkov skips (id and reason) for a repository's settings.
 * - CKV_AWS_51 ("ECR image tags immutable") accepts only `IMMUTABLE`; with `mutableTagPatterns` the repository is
 *   `IMMUTABLE_WITH_EXCLUSION`, where only the listed patterns move.
 * - CKV_AWS_136 ("ECR encrypted using KMS") accepts only KMS; without `encryptionKey` the images are encrypted with
 *   AES-256 (ECR's server-side encryption).
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
 */
function checkovSkipsFor(mutableTags: boolean, kmsKey: boolean): Array<{ id: string; comment: string }> {
  const skips: Array<{ id: string; comment: string }> = [];
  if (mutableTags) {
    skips.push({
      id: 'CKV_AWS_51',
      comment: 'Tags are IMMUTABLE_WITH_EXCLUSION: every tag is immutable except the mutableTagPatterns given on purpose '
        + '(e.g. a moving latest tag); checkov accepts only IMMUTABLE. Leave mutableTagPatterns empty for IMMUTABLE.',
    });
  }
  if (!kmsKey) {
    skips.push({
      id: 'CKV_AWS_136',
      comment: 'Images are encrypted at rest with AES-256 (ECR server-side encryption, no cost); a customer-managed KMS '
        + 'key costs $1/month plus requests. Pass encryptionKey if policy requires a CMK.',
    });
  }
  return skips;
}

/**
 * Fails when a second repository in the same app configures registry-wide replication for the same account and
 * region. The claim is a marker child of the repository, so the state lives in the construct tree.
 */
function claimRegistryReplication(repo: Construct, stack: Stack): void {
  const account = Token.isUnresolved(stack.account) ? '(environment-agnostic account)' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '(environment-agnostic region)' : stack.region;
  const key = `${account}/${region}`;
  const markerId = `cdk-scheduled-batch.ReplicationClaim.${key.replace('/', '.')}`;
  const first = repo.node.root.node.findAll().find(c => c.node.id === markerId && c.node.scope !== repo);
  if (first) {
    throw new ValidationError(`'replicationDestinations' is set on both ${first.node.scope!.node.path} and ${repo.node.path} for account/region ${key}, but ECR replication is one registry-wide configuration per account and region: the second deployment would overwrite the first. Set 'replicationDestinations' on one HardenedRepository only (its rule can list several destinations), or manage ecr.CfnReplicationConfiguration yourself.`);
  }
  new Construct(repo, markerId);
}

/**
 * Fails on a destination ECR rejects: a malformed region or registry ID (API_ReplicationDestination patterns), or the
 * stack's own account and region. ECR replicates across Regions and across accounts only; a registry cannot be its
 * own destination.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html
 */
function validateReplicationDestination(d: ReplicationDestination, index: number, stack: Stack): void {
  const entry = `'replicationDestinations[${index}]'`;
  if (!Token.isUnresolved(d.region) && (typeof d.region !== 'string' || !ECR_LIMITS.replicationRegionPattern.test(d.region))) {
    throw new ValidationError(`${entry} has region '${d.region}', which is not a Region code: use one like 'eu-west-1' (2-25 lowercase letters, digits and '-').`);
  }
  if (d.registryId !== undefined && !Token.isUnresolved(d.registryId) && !ECR_LIMITS.registryIdPattern.test(d.registryId)) {
    throw new ValidationError(`${entry} has registryId '${d.registryId}', which is not an AWS account ID: use the destination account's 12 digits, or leave registryId out for the stack's own account.`);
  }
  const account = d.registryId ?? stack.account;
  const sameAccount = d.registryId === undefined || (!Token.isUnresolved(stack.account) && !Token.isUnresolved(account) && account === stack.account);
  const sameRegion = !Token.isUnresolved(stack.region) && !Token.isUnresolved(d.region) && d.region === stack.region;
  if (sameAccount && sameRegion) {
    throw new ValidationError(`${entry} is { region: '${d.region}'${d.registryId ? `, registryId: '${d.registryId}'` : ''} }, the stack's own account and Region: ECR replicates across Regions or accounts only, and a registry cannot replicate to itself. Fix: remove this destination, or give another region or another account's registryId.`);
  }
}

/**
 * The same registry twice in one rule replicates nothing more, and ECR checks a rule's destinations as a set. A
 * destination without `registryId` is the stack's own account, so it repeats one that names that account explicitly.
 * Tokens are compared as written: two different tokens may still resolve alike.
 */
function refuseRepeatedDestination(destinations: ReplicationDestination[], stack: Stack): void {
  const seen = new Map<string, number>();
  const ownAccount = Token.isUnresolved(stack.account) ? '' : stack.account;
  destinations.forEach((d, i) => {
    const key = `${d.region}|${d.registryId ?? ownAccount}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ValidationError(`'replicationDestinations[${i}]' repeats 'replicationDestinations[${first}]' `
        + `({ region: '${d.region}'${d.registryId ? `, registryId: '${d.registryId}'` : ''} }): each registry is a destination once. Fix: remove one of the two.`);
    }
    seen.set(key, i);
  });
}

/** Enum and enum-like props hold what they are typed as (untyped languages can pass anything, e.g. 'retain'). */
function validatePropTypes(props: HardenedRepositoryProps): void {
  validateInstanceOf('untaggedImageExpiry', props.untaggedImageExpiry, Duration, 'a Duration, e.g. Duration.days(7)');
  validateEnum('removalPolicy', props.removalPolicy, RemovalPolicy, 'RemovalPolicy');
  validateRepositoryName(props.repositoryName);
}

/** ECR's rule for repository names (CreateRepository), so that a bad one fails here naming the prop. */
function validateRepositoryName(name: unknown): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const { min, max } = ECR_LIMITS.repositoryNameLength;
  if (typeof name !== 'string' || name.length < min || name.length > max || !ECR_LIMITS.repositoryNamePattern.test(name)) {
    throw new ValidationError(`'repositoryName' is ${describeTyped(name, 'string')}: ECR takes ${min} to ${max} lowercase letters, digits and '.', '_', '-' `
      + "between them, with '/' for namespaces (e.g. 'team/nightly-report'). Fix the name, or leave it out for a generated one.");
  }
}

function validateMaxTaggedImages(n: number): void {
  validateWholeNumber('maxTaggedImages', n, {
    min: 1,
    why: '(how many tagged images the lifecycle policy keeps)',
    fix: `use e.g. ${DEFAULTS.maxTaggedImages}, the default`,
  });
}

/** ECR lifecycle rules count image age in whole days (`countNumber` with `countUnit: days`). */
function validateUntaggedExpiry(d: Duration): void {
  if (d.isUnresolved()) return;
  validateWholeNumber('untaggedImageExpiry', d.toDays({ integral: false }), {
    min: 1,
    unit: 'days',
    why: '(ECR lifecycle rules count image age in days)',
    fix: `use e.g. Duration.days(${DEFAULTS.untaggedImageExpiryDays}), the default`,
  });
}

function validateMutableTagPatterns(patterns: string[]): void {
  if (!Array.isArray(patterns)) {
    throw new ValidationError(`'mutableTagPatterns' is ${JSON.stringify(patterns)}: give a list of tag patterns, e.g. ['latest'].`);
  }
  validateList('mutableTagPatterns', patterns, 'tag pattern', "['latest']", (t, name) => validateStringEntry(t, name, "a tag pattern such as 'latest'"));
  if (patterns.length > ECR_LIMITS.maxExclusionFilters) {
    throw new ValidationError(`'mutableTagPatterns' may list at most ${ECR_LIMITS.maxExclusionFilters} patterns, got ${patterns.length}: combine them with wildcards, e.g. 'dev-*'.`);
  }
  for (const p of patterns) {
    if (Token.isUnresolved(p)) continue;
    if (!ECR_LIMITS.exclusionFilterPattern.test(p)) {
      throw new ValidationError(`'mutableTagPatterns' entry '${p}' is not a valid ECR tag filter: use 1-128 letters, digits, '.', '_', '-' or the wildcard '*'.`);
    }
  }
}
