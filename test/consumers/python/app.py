"""The Python consumer of the four-language proof (see test/consumers/README.md).

It builds the same stack as ../typescript/app.ts (same ids, same props, same order) from the *built* wheel,
installed into a fresh venv by ../run.sh, which then compares the templates byte for byte.

Usage: python app.py <outdir>
"""
import sys

from aws_cdk import App, Duration, Size, Stack, TimeZone
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from cdk_scheduled_batch import (
    BatchPlatform,
    ComputePlatform,
    CostReport,
    HardenedRepository,
    OverlapPolicy,
    ReplicationDestination,
    RunApi,
    ScheduledBatchWorkflow,
    ScheduledBatchWorkload,
    WorkflowStep,
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

# --- Maps given in a different key order in every language (here: the reverse of TypeScript's), and secrets.
with_secrets = Stack(app, "ConsumerEnvironmentAndSecrets")
db_password = ssm.StringParameter.from_secure_string_parameter_attributes(
    with_secrets, "DbPassword", parameter_name="/consumer/db-password"
)
api_token = secretsmanager.Secret.from_secret_name_v2(with_secrets, "ApiToken", "consumer/api-token")
ScheduledBatchWorkload(
    with_secrets,
    "Export",
    compute_platform=ComputePlatform.FARGATE,
    schedule=scheduler.ScheduleExpression.cron(hour="3", minute="15", time_zone=TimeZone.EUROPE_LONDON),
    image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
    environment={"TZ": "Europe/London", "REGION_NAME": "eu-west-1", "OUTPUT_BUCKET": "reports", "LOG_LEVEL": "info"},
    secrets={
        "DB_PASSWORD": batch.Secret.from_ssm_parameter(db_password),
        "API_TOKEN": batch.Secret.from_secrets_manager(api_token),
    },
)

# --- Run control: a run-now API, the overlap policies, declared parameters (a map, in reverse key order here) and
# verification at deploy.
run_control = Stack(app, "ConsumerRunControl")
run_api = RunApi(run_control, "RunApi")
report = ScheduledBatchWorkload(
    run_control,
    "Report",
    run_api=run_api,
    schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0", time_zone=TimeZone.EUROPE_LONDON),
    image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
    command=["python", "-m", "report", "Ref::scheduledTime", "Ref::region"],
    parameters={"region": "eu", "mode": "full", "format": "csv"},
    overlap_policy=OverlapPolicy.QUEUE,
    timeout=Duration.minutes(10),
    verify_on_deploy=True,
)
ScheduledBatchWorkload(
    run_control,
    "Ingest",
    platform=report.platform,
    run_api=run_api,
    run_api_route_name="ingest-hourly",
    schedule=scheduler.ScheduleExpression.rate(Duration.hours(1)),
    image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
    overlap_policy=OverlapPolicy.SKIP,
)
report.grant_run(iam.Role(run_control, "Operators", assumed_by=iam.AccountRootPrincipal()))

# --- Workflow: a graph of steps (a list of structs, each with a list of names), fan-out and the On-Demand fallback.
workflow_stack = Stack(app, "ConsumerWorkflow")
workflow_platform = BatchPlatform(workflow_stack, "Platform", on_demand_fallback=True)
ScheduledBatchWorkflow(
    workflow_stack,
    "Nightly",
    platform=workflow_platform,
    schedule=scheduler.ScheduleExpression.cron(hour="3", minute="30", time_zone=TimeZone.EUROPE_LONDON),
    overlap_policy=OverlapPolicy.SKIP,
    steps=[
        WorkflowStep(
            name="extract",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
            command=["python", "-m", "extract", "Ref::scheduledTime"],
            on_demand_fallback=True,
        ),
        WorkflowStep(
            name="transform",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
            depends_on=["extract"],
            array_size=10,
            timeout=Duration.minutes(30),
        ),
        WorkflowStep(
            name="load",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
            depends_on=["transform"],
            parameters={"target": "warehouse"},
        ),
    ],
)

# --- Add the next construct here (same ids and props as ../typescript/app.ts).

# --- The idle cost of every stack, as CostReport computes it: run.sh compares these lines across the languages.
for s in [stack, one_liner, shared, with_secrets, run_control, workflow_stack]:
    print(f"COST {s.stack_name} {CostReport.of(s).monthly_usd:.2f}")

app.synth()

# --- A refused prop is named as Python writes it (run.sh checks the REFUSED line): the library reads the JSII_AGENT
# the jsii runtime sets. In an app of its own, so the templates above are untouched.
try:
    ScheduledBatchWorkload(
        Stack(App(), "Refused"),
        "Workload",
        schedule=scheduler.ScheduleExpression.rate(Duration.hours(24)),
        image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
        run_deadline=Duration.hours(2),
        track_runs=False,
    )
    print("REFUSED nothing")
except Exception as error:  # jsii raises the library's error as a Python exception
    print(f"REFUSED {str(error).splitlines()[0]}")
