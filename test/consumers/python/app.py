"""The Python consumer of the four-language proof (see test/consumers/README.md).

It builds the same stack as ../typescript/app.ts (same ids, same props, same order) from the *built* wheel,
installed into a fresh venv by ../run.sh, which then compares the templates byte for byte.

Usage: python app.py <outdir>
"""
import sys

from aws_cdk import App, Duration, Size, Stack, TimeZone
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from cdk_scheduled_batch import (
    BatchPlatform,
    ComputePlatform,
    HardenedRepository,
    ReplicationDestination,
    ScheduledBatchWorkload,
)

outdir = sys.argv[1] if len(sys.argv) > 1 else "cdk.out"
# No CDKMetadata resource: it records the language runtime, which is the one thing that legitimately differs.
app = App(outdir=outdir, analytics_reporting=False)
stack = Stack(app, "ConsumerExample")

# --- HardenedRepository: a KMS key crosses the language boundary, plus lists, numbers and a Duration.
key = kms.Key(stack, "ImagesKey", enable_key_rotation=True, description="Encrypts container images at rest")
HardenedRepository(
    stack,
    "Images",
    encryption_key=key,
    mutable_tag_patterns=["latest", "dev-*"],
    max_tagged_images=25,
    untagged_image_expiry=Duration.days(3),
)
# --- HardenedRepository with defaults, replicated: an array of structs crosses the boundary.
HardenedRepository(
    stack,
    "MirroredImages",
    replication_destinations=[ReplicationDestination(region="eu-west-1")],
)

# --- The one-liner, in its own stack: its own VPC, compute, queue, schedule, logs, IAM and alarms.
one_liner = Stack(app, "ConsumerOneLiner")
ScheduledBatchWorkload(
    one_liner,
    "NightlyReport",
    schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0", time_zone=TimeZone.EUROPE_LONDON),
    image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
    command=["python", "-c", 'print("hello")'],
)

# --- Two workloads on a shared Fargate platform: an enum, a construct passed as a prop, Size, maps and lists.
shared = Stack(app, "ConsumerSharedPlatform")
platform = BatchPlatform(shared, "Platform", compute_platform=ComputePlatform.FARGATE)
for name in ["Billing", "Reports"]:
    ScheduledBatchWorkload(
        shared,
        name,
        platform=platform,
        schedule=scheduler.ScheduleExpression.rate(Duration.hours(24)),
        image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
        cpu=0.5,
        memory=Size.gibibytes(1),
        environment={"STAGE": "prod"},
        retryable_exit_codes=["75"],
    )

# --- Add the next construct here (same ids and props as ../typescript/app.ts).

app.synth()
