import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HardenedRepository, HardenedRepositoryProps } from '../src';

function stack(): Stack {
  return new Stack(new App(), 'Test');
}

function lifecycle(template: Template): any {
  const repos = template.findResources('AWS::ECR::Repository');
  const [repo] = Object.values(repos) as any[];
  return JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
}

describe('HardenedRepository defaults', () => {
  const s = stack();
  new HardenedRepository(s, 'Repo');
  const template = Template.fromStack(s);

  test('scans on push, encrypts with AES-256 and makes every tag immutable', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      ImageTagMutability: 'IMMUTABLE',
      ImageTagMutabilityExclusionFilters: Match.absent(),
      RepositoryName: Match.absent(),
    });
  });

  test('is retained when removed from the stack', () => {
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('expires untagged images after 7 days and keeps the 10 newest tagged images', () => {
    expect(lifecycle(template).rules).toEqual([
      {
        rulePriority: 1,
        description: 'Expire untagged images after 7 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep the 10 most recent tagged images',
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 10 },
        action: { type: 'expire' },
      },
    ]);
  });

  test('creates no replication, no custom resource and no KMS key', () => {
    template.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });
});

describe('HardenedRepository options', () => {
  test('a supplied KMS key switches encryption to KMS with that key', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key', { enableKeyRotation: true });
    new HardenedRepository(s, 'Repo', { encryptionKey: key });
    Template.fromStack(s).hasResourceProperties('AWS::ECR::Repository', {
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    });
  });

  test('mutableTagPatterns keeps those tags movable and every other tag immutable', () => {
    const s = stack();
    new HardenedRepository(s, 'Repo', { mutableTagPatterns: ['latest', 'dev-*'] });
    Template.fromStack(s).hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'dev-*' },
      ],
    });
  });

  test('lifecycle limits are configurable', () => {
    const s = stack();
    new HardenedRepository(s, 'Repo', { maxTaggedImages: 3, untaggedImageExpiry: Duration.days(1) });
    const rules = lifecycle(Template.fromStack(s)).rules;
    expect(rules[0].selection.countNumber).toBe(1);
    expect(rules[1].selection.countNumber).toBe(3);
  });

  test('removal policy and name can be set', () => {
    const s = stack();
    new HardenedRepository(s, 'Repo', { removalPolicy: RemovalPolicy.DESTROY, repositoryName: 'nightly-report' });
    Template.fromStack(s).hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ RepositoryName: 'nightly-report' }),
    });
  });

  test('grantPull gives an execution role pull rights on this repository and the registry token', () => {
    const s = stack();
    const repo = new HardenedRepository(s, 'Repo');
    const role = new iam.Role(s, 'ExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    repo.grantPull(role);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Repo'), 'Arn'] },
          },
          // ecr:GetAuthorizationToken has no resource-level permissions: AWS requires '*'.
          { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
        ]),
      },
    });
  });
});

describe('HardenedRepository checkov skips in the template (checkov is clean without a project config)', () => {
  function checkovSkipIds(props: ConstructorParameters<typeof HardenedRepository>[2]): string[] | undefined {
    const s = stack();
    new HardenedRepository(s, 'Repo', props);
    const [repo] = Object.values(Template.fromStack(s).findResources('AWS::ECR::Repository')) as any[];
    const skips: Array<{ id: string; comment: string }> | undefined = repo.Metadata?.checkov?.skip;
    for (const skip of skips ?? []) expect(skip.comment.length).toBeGreaterThan(40);
    return skips?.map(k => k.id);
  }

  test('default (IMMUTABLE, AES-256): only CKV_AWS_136, with a reason', () => {
    expect(checkovSkipIds({})).toEqual(['CKV_AWS_136']);
  });

  test('mutableTagPatterns (IMMUTABLE_WITH_EXCLUSION): CKV_AWS_51 as well', () => {
    expect(checkovSkipIds({ mutableTagPatterns: ['latest'] })).toEqual(['CKV_AWS_51', 'CKV_AWS_136']);
  });

  test('a KMS key and every tag immutable: no skip at all', () => {
    const s = stack();
    new HardenedRepository(s, 'Repo', { encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }) });
    Template.fromStack(s).hasResource('AWS::ECR::Repository', { Metadata: Match.absent() });
  });

  test('a KMS key with mutable tags: only CKV_AWS_51', () => {
    const s = stack();
    new HardenedRepository(s, 'Repo', { encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }), mutableTagPatterns: ['latest'] });
    const [repo] = Object.values(Template.fromStack(s).findResources('AWS::ECR::Repository')) as any[];
    expect(repo.Metadata.checkov.skip.map((k: any) => k.id)).toEqual(['CKV_AWS_51']);
  });
});

describe('HardenedRepository replication', () => {
  test('replicates this repository only, to each destination, defaulting to the stack account', () => {
    const app = new App();
    const s = new Stack(app, 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    const repo = new HardenedRepository(s, 'Repo', {
      replicationDestinations: [{ region: 'eu-west-1' }, { region: 'us-west-2', registryId: '222222222222' }],
    });
    expect(repo.replicationConfiguration).toBeDefined();
    Template.fromStack(s).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [{
          Destinations: [
            { Region: 'eu-west-1', RegistryId: '111111111111' },
            { Region: 'us-west-2', RegistryId: '222222222222' },
          ],
          RepositoryFilters: [{ Filter: { Ref: Match.stringLikeRegexp('^Repo') }, FilterType: 'PREFIX_MATCH' }],
        }],
      },
    });
  });

  test('warns, acknowledgeably, that replication is registry-wide', () => {
    const s = stack();
    new HardenedRepository(s, 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }] });
    Annotations.fromStack(s).hasWarning('/Test/Repo', Match.stringLikeRegexp('registry-wide.*ecrReplicationIsRegistryWide'));
  });

  test('fails when two repositories in one app replicate the same account and region', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: { account: '111111111111', region: 'us-east-1' } });
    const b = new Stack(app, 'B', { env: { account: '111111111111', region: 'us-east-1' } });
    new HardenedRepository(a, 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }] });
    expect(() => new HardenedRepository(b, 'Repo', { replicationDestinations: [{ region: 'eu-west-2' }] }))
      .toThrow(/'replicationDestinations' is set on both A\/Repo and B\/Repo for account\/region 111111111111\/us-east-1.*one registry-wide configuration/);
  });

  test('allows one replication configuration per account and region', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: { account: '111111111111', region: 'us-east-1' } });
    const b = new Stack(app, 'B', { env: { account: '111111111111', region: 'eu-west-1' } });
    new HardenedRepository(a, 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }] });
    expect(() => new HardenedRepository(b, 'Repo', { replicationDestinations: [{ region: 'us-east-1' }] })).not.toThrow();
  });

  test('fails when a destination is the stack\'s own account and Region', () => {
    const s = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new HardenedRepository(s, 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }, { region: 'us-east-1' }] }))
      .toThrow(/'replicationDestinations\[1\]' is \{ region: 'us-east-1' \}, the stack's own account and Region: .*Fix: remove this destination, or give another region or another account's registryId/);
  });

  test.each(['', 'MyRepo', 'a', 'x'.repeat(257), 'team//report', '-report'])('a repositoryName ECR refuses (%j) fails naming the prop', name => {
    expect(() => new HardenedRepository(stack(), 'Repo', { repositoryName: name }))
      .toThrow("ECR takes 2 to 256 lowercase letters, digits and '.', '_', '-' between them, with '/' for namespaces (e.g. 'team/nightly-report').");
  });

  test.each(['team/nightly-report', 'ab', 'a.b_c-d'])('a repositoryName ECR takes (%j) passes', name => {
    expect(() => new HardenedRepository(stack(), 'Repo', { repositoryName: name })).not.toThrow();
  });

  test('fails when a destination is listed twice, and names both entries', () => {
    expect(() => new HardenedRepository(stack(), 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }, { region: 'us-west-2' }, { region: 'eu-west-1' }] }))
      .toThrow(/'replicationDestinations\[2\]' repeats 'replicationDestinations\[0\]' \(\{ region: 'eu-west-1' \}\): each registry is a destination once\. Fix: remove one of the two\./);
    expect(() => new HardenedRepository(stack(), 'Repo', { replicationDestinations: [{ region: 'eu-west-1', registryId: '222222222222' }, { region: 'eu-west-1', registryId: '222222222222' }] }))
      .toThrow(/'replicationDestinations\[1\]' repeats 'replicationDestinations\[0\]' \(\{ region: 'eu-west-1', registryId: '222222222222' \}\)/);
  });

  test('fails when a destination names the stack\'s account that another one leaves out', () => {
    const s = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new HardenedRepository(s, 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }, { region: 'eu-west-1', registryId: '111111111111' }] }))
      .toThrow(/'replicationDestinations\[1\]' repeats 'replicationDestinations\[0\]'/);
  });

  test('allows one Region in two accounts', () => {
    const repo = new HardenedRepository(stack(), 'Repo', { replicationDestinations: [{ region: 'eu-west-1' }, { region: 'eu-west-1', registryId: '222222222222' }] });
    expect(repo.replicationConfiguration).toBeDefined();
  });

  test('fails when a destination names the stack\'s own account explicitly and its Region', () => {
    const s = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new HardenedRepository(s, 'Repo', { replicationDestinations: [{ region: 'us-east-1', registryId: '111111111111' }] }))
      .toThrow(/'replicationDestinations\[0\]' is \{ region: 'us-east-1', registryId: '111111111111' \}, the stack's own account and Region/);
  });

  test('allows the same Region in another account, and any Region when the stack has no Region', () => {
    const s = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new HardenedRepository(s, 'Repo', { replicationDestinations: [{ region: 'us-east-1', registryId: '222222222222' }] })).not.toThrow();
    expect(() => new HardenedRepository(stack(), 'Repo', { replicationDestinations: [{ region: 'us-east-1' }] })).not.toThrow();
  });

  test('fails when a destination region is not a Region code', () => {
    expect(() => new HardenedRepository(stack(), 'Repo', { replicationDestinations: [{ region: 'EU West 1' }] }))
      .toThrow(/'replicationDestinations\[0\]' has region 'EU West 1', which is not a Region code: use one like 'eu-west-1'/);
  });

  test('fails when a destination registryId is not a 12-digit account ID', () => {
    expect(() => new HardenedRepository(stack(), 'Repo', { replicationDestinations: [{ region: 'eu-west-1', registryId: '1234' }] }))
      .toThrow(/'replicationDestinations\[0\]' has registryId '1234', which is not an AWS account ID: use the destination account's 12 digits/);
  });

  test('fails with more than 25 destinations', () => {
    const destinations = Array.from({ length: 26 }, () => ({ region: 'eu-west-1' }));
    expect(() => new HardenedRepository(stack(), 'Repo', { replicationDestinations: destinations }))
      .toThrow(/'replicationDestinations' may list at most 25 destinations, got 26/);
  });
});

describe('HardenedRepository validation', () => {
  test.each<[string, Partial<HardenedRepositoryProps>, RegExp]>([
    ['maxTaggedImages 0', { maxTaggedImages: 0 },
      /'maxTaggedImages' is 0: it must be a whole number of at least 1 \(how many tagged images the lifecycle policy keeps\); use e.g. 10, the default/],
    ['maxTaggedImages negative', { maxTaggedImages: -1 }, /'maxTaggedImages' is -1: it must be a whole number of at least 1/],
    ['maxTaggedImages fractional', { maxTaggedImages: 2.5 }, /'maxTaggedImages' is 2.5: it must be a whole number of at least 1/],
    ['maxTaggedImages NaN', { maxTaggedImages: NaN }, /'maxTaggedImages' is NaN: it must be a whole number of at least 1/],
    ['maxTaggedImages Infinity', { maxTaggedImages: Infinity }, /'maxTaggedImages' is Infinity: it must be a whole number of at least 1/],
    ['maxTaggedImages a string (untyped languages)', { maxTaggedImages: '10' as any }, /'maxTaggedImages' is '10': it must be a whole number/],
    ['untaggedImageExpiry less than a day', { untaggedImageExpiry: Duration.hours(12) },
      /'untaggedImageExpiry' is 0.5 days: it must be a whole number of days of at least 1 \(ECR lifecycle rules count image age in days\); use e.g. Duration.days\(7\), the default/],
    ['untaggedImageExpiry not whole days', { untaggedImageExpiry: Duration.hours(36) }, /'untaggedImageExpiry' is 1.5 days: it must be a whole number of days/],
    ['untaggedImageExpiry NaN', { untaggedImageExpiry: Duration.days(NaN) }, /'untaggedImageExpiry' is NaN days: it must be a whole number of days/],
    ['untaggedImageExpiry Infinity', { untaggedImageExpiry: Duration.days(Infinity) }, /'untaggedImageExpiry' is Infinity days: it must be a whole number of days/],
  ])('fails on a bad number: %s', (_, props, message) => {
    expect(() => new HardenedRepository(stack(), 'Repo', props)).toThrow(message);
  });

  // Untyped languages can pass a string or a number where an enum or an enum-like class is typed.
  test.each<[string, Partial<HardenedRepositoryProps>, RegExp]>([
    ['removalPolicy', { removalPolicy: 'keep' as any },
      /'removalPolicy' is 'keep', which is not a RemovalPolicy: use one of RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.SNAPSHOT/],
    ['untaggedImageExpiry', { untaggedImageExpiry: 7 as any }, /'untaggedImageExpiry' is 7, which is not a Duration: use a Duration, e.g. Duration.days\(7\)/],
  ])('fails on a foreign value for an enum-typed prop: %s', (_, props, message) => {
    expect(() => new HardenedRepository(stack(), 'Repo', props)).toThrow(message);
  });

  test('tokens pass the numeric checks unchecked', () => {
    const s = stack();
    const count = new CfnParameter(s, 'Count', { type: 'Number' }).valueAsNumber;
    const days = new CfnParameter(s, 'Days', { type: 'Number' }).valueAsNumber;
    new HardenedRepository(s, 'Repo', { maxTaggedImages: count, untaggedImageExpiry: Duration.days(days) });
    const rules = lifecycle(Template.fromStack(s)).rules;
    expect(rules.map((r: any) => r.selection.countNumber)).toEqual([{ Ref: 'Days' }, { Ref: 'Count' }]);
  });

  test('fails with more than 5 mutable tag patterns', () => {
    expect(() => new HardenedRepository(stack(), 'Repo', { mutableTagPatterns: ['a', 'b', 'c', 'd', 'e', 'f'] }))
      .toThrow(/'mutableTagPatterns' may list at most 5 patterns, got 6/);
  });

  test('fails on a tag pattern ECR does not accept', () => {
    expect(() => new HardenedRepository(stack(), 'Repo', { mutableTagPatterns: ['lat est'] }))
      .toThrow(/'mutableTagPatterns' entry 'lat est' is not a valid ECR tag filter/);
  });
});

describe('HardenedRepository mutableTagPatterns that undo immutability', () => {
  test("'*' is legal but warns (no tag would be immutable); a list of moving tags does not", () => {
    const warned = (patterns: string[]) => {
      const s = stack();
      new HardenedRepository(s, 'Repo', { mutableTagPatterns: patterns });
      return Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('cdk-scheduled-batch:everyTagMutable')).map(w => String(w.entry.data));
    };
    expect(warned(['*'])).toEqual([expect.stringMatching(/^'mutableTagPatterns' holds '\*', which matches every tag: no tag is immutable, .* \[ack: cdk-scheduled-batch:everyTagMutable\]$/)]);
    expect(warned(['latest', '**'])).toHaveLength(1);
    expect(warned(['latest', 'dev-*'])).toEqual([]);
  });

  test('a single string instead of a list fails naming the prop (untyped languages)', () => {
    expect(() => new HardenedRepository(stack(), 'Repo', { mutableTagPatterns: 'latest' as any }))
      .toThrow(/^'mutableTagPatterns' is "latest": give a list of tag patterns, e\.g\. \['latest'\]\.$/);
  });
});
