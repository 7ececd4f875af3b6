import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/nag';

/**
 * Read, write and list on the data bucket, spelled out: the L2 `grantReadWrite` grants `s3:GetObject*`, `s3:Abort*`
 * and other wildcard actions the job does not need.
 */
export function grantDataBucket(role: iam.IRole, bucket: s3.IBucket): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket', 's3:GetBucketLocation'],
    resources: [bucket.bucketArn],
  }));
  const objects = bucket.arnForObjects('*');
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    resources: [objects],
  }));
  bucket.encryptionKey?.grantEncryptDecrypt(role);
  acknowledgeWildcardResource(role, objects,
    'The job reads and writes objects whose keys it chooses at run time; the grant is limited to this one bucket.');
}

/** A data bucket and its access-log bucket, both encrypted, TLS-only, private, no ACLs, versioned and retained. */
export function createDataBucket(scope: Construct): s3.IBucket {
  const hardened: s3.BucketProps = {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  const accessLogs = new s3.Bucket(scope, 'DataAccessLogs', {
    ...hardened,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
  });
  (accessLogs.node.defaultChild as s3.CfnBucket).addMetadata('checkov', {
    skip: [{ id: 'CKV_AWS_18', comment: 'This is the access-log bucket of the data bucket; logging it into itself would recurse.' }],
  });
  const bucket = new s3.Bucket(scope, 'DataBucket', hardened);
  // Server access logs delivered under a bucket policy, not the LogDeliveryWrite ACL the L2's
  // `serverAccessLogsBucket` sets without a feature flag (ACLs are disabled on both buckets).
  // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
  const prefix = 'data/';
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogs.bucketName,
    logFilePrefix: prefix,
  };
  accessLogs.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [accessLogs.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  return bucket;
}
