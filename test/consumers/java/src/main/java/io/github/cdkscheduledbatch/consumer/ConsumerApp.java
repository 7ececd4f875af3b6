package io.github.cdkscheduledbatch.consumer;

import io.github.cdkscheduledbatch.BatchPlatform;
import io.github.cdkscheduledbatch.BatchPlatformProps;
import io.github.cdkscheduledbatch.ComputePlatform;
import io.github.cdkscheduledbatch.CostReport;
import io.github.cdkscheduledbatch.HardenedRepository;
import io.github.cdkscheduledbatch.HardenedRepositoryProps;
import io.github.cdkscheduledbatch.OverlapPolicy;
import io.github.cdkscheduledbatch.ReplicationDestination;
import io.github.cdkscheduledbatch.RunApi;
import io.github.cdkscheduledbatch.ScheduledBatchWorkflow;
import io.github.cdkscheduledbatch.ScheduledBatchWorkflowProps;
import io.github.cdkscheduledbatch.ScheduledBatchWorkload;
import io.github.cdkscheduledbatch.ScheduledBatchWorkloadProps;
import io.github.cdkscheduledbatch.WorkflowStep;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.TimeZone;
import software.amazon.awscdk.services.batch.Secret;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.RoleProps;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.kms.KeyProps;
import software.amazon.awscdk.services.scheduler.CronOptionsWithTimezone;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.ssm.IStringParameter;
import software.amazon.awscdk.services.ssm.SecureStringParameterAttributes;
import software.amazon.awscdk.services.ssm.StringParameter;

/**
 * The Java consumer of the four-language proof (see test/consumers/README.md).
 *
 * <p>It builds the same stack as ../typescript/app.ts (same ids, same props, same order) from the built artifact;
 * ../run.sh compares the templates byte for byte.
 */
public final class ConsumerApp {
    private ConsumerApp() {
    }

    public static void main(final String[] args) {
        final String outdir = args.length > 0 ? args[0] : "cdk.out";
        // No CDKMetadata resource: it records the language runtime, which is the one thing that legitimately differs.
        final App app = new App(AppProps.builder().outdir(outdir).analyticsReporting(false).build());
        final Stack stack = new Stack(app, "ConsumerExample");

        // --- HardenedRepository: a KMS key crosses the language boundary, plus lists, numbers and a Duration.
        final Key key = new Key(stack, "ImagesKey", KeyProps.builder()
                .enableKeyRotation(true)
                .description("Encrypts container images at rest")
                .build());
        new HardenedRepository(stack, "Images", HardenedRepositoryProps.builder()
                .encryptionKey(key)
                .mutableTagPatterns(List.of("latest", "dev-*"))
                .maxTaggedImages(25)
                .untaggedImageExpiry(Duration.days(3))
                .build());
        // --- HardenedRepository with defaults, replicated: an array of structs crosses the boundary.
        new HardenedRepository(stack, "MirroredImages", HardenedRepositoryProps.builder()
                .replicationDestinations(List.of(ReplicationDestination.builder().region("eu-west-1").build()))
                .build());

        // --- The one-liner, in its own stack: its own VPC, compute, queue, schedule, logs, IAM and alarms.
        final Stack oneLiner = new Stack(app, "ConsumerOneLiner");
        new ScheduledBatchWorkload(oneLiner, "NightlyReport", ScheduledBatchWorkloadProps.builder()
                .schedule(ScheduleExpression.cron(CronOptionsWithTimezone.builder()
                        .hour("2").minute("0").timeZone(TimeZone.EUROPE_LONDON).build()))
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                .command(List.of("python", "-c", "print(\"hello\")"))
                .build());

        // --- Two workloads on a shared Fargate platform: an enum, a construct passed as a prop, Size, maps and lists.
        final Stack shared = new Stack(app, "ConsumerSharedPlatform");
        final BatchPlatform platform = new BatchPlatform(shared, "Platform", BatchPlatformProps.builder()
                .computePlatform(ComputePlatform.FARGATE)
                .build());
        for (final String name : List.of("Billing", "Reports")) {
            new ScheduledBatchWorkload(shared, name, ScheduledBatchWorkloadProps.builder()
                    .platform(platform)
                    .schedule(ScheduleExpression.rate(Duration.hours(24)))
                    .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                    .cpu(0.5)
                    .memory(Size.gibibytes(1))
                    .environment(Map.of("STAGE", "prod"))
                    .retryableExitCodes(List.of("75"))
                    .build());
        }

        // --- Maps given in a different key order in every language (here: Map.of, whose iteration order changes from
        // one JVM to the next), and secrets.
        final Stack withSecrets = new Stack(app, "ConsumerEnvironmentAndSecrets");
        final IStringParameter dbPassword = StringParameter.fromSecureStringParameterAttributes(withSecrets, "DbPassword",
                SecureStringParameterAttributes.builder().parameterName("/consumer/db-password").build());
        final ISecret apiToken = software.amazon.awscdk.services.secretsmanager.Secret.fromSecretNameV2(
                withSecrets, "ApiToken", "consumer/api-token");
        new ScheduledBatchWorkload(withSecrets, "Export", ScheduledBatchWorkloadProps.builder()
                .computePlatform(ComputePlatform.FARGATE)
                .schedule(ScheduleExpression.cron(CronOptionsWithTimezone.builder()
                        .hour("3").minute("15").timeZone(TimeZone.EUROPE_LONDON).build()))
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                .environment(Map.of("REGION_NAME", "eu-west-1", "LOG_LEVEL", "info", "TZ", "Europe/London",
                        "OUTPUT_BUCKET", "reports"))
                .secrets(Map.of("DB_PASSWORD", Secret.fromSsmParameter(dbPassword),
                        "API_TOKEN", Secret.fromSecretsManager(apiToken)))
                .build());

        // --- Run control: a run-now API, the overlap policies, declared parameters (Map.of: an order that changes from
        // one JVM to the next) and verification at deploy.
        final Stack runControl = new Stack(app, "ConsumerRunControl");
        final RunApi runApi = new RunApi(runControl, "RunApi");
        final ScheduledBatchWorkload report = new ScheduledBatchWorkload(runControl, "Report", ScheduledBatchWorkloadProps.builder()
                .runApi(runApi)
                .schedule(ScheduleExpression.cron(CronOptionsWithTimezone.builder()
                        .hour("2").minute("0").timeZone(TimeZone.EUROPE_LONDON).build()))
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                .command(List.of("python", "-m", "report", "Ref::scheduledTime", "Ref::region"))
                .parameters(Map.of("mode", "full", "region", "eu", "format", "csv"))
                .overlapPolicy(OverlapPolicy.QUEUE)
                .timeout(Duration.minutes(10))
                .verifyOnDeploy(true)
                .build());
        new ScheduledBatchWorkload(runControl, "Ingest", ScheduledBatchWorkloadProps.builder()
                .platform(report.getPlatform())
                .runApi(runApi)
                .runApiRouteName("ingest-hourly")
                .schedule(ScheduleExpression.rate(Duration.hours(1)))
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                .overlapPolicy(OverlapPolicy.SKIP)
                .build());
        report.grantRun(new Role(runControl, "Operators", RoleProps.builder().assumedBy(new AccountRootPrincipal()).build()));

        // --- Workflow: a graph of steps (a list of structs, each with a list of names), fan-out and the On-Demand fallback.
        final Stack workflowStack = new Stack(app, "ConsumerWorkflow");
        final BatchPlatform workflowPlatform = new BatchPlatform(workflowStack, "Platform", BatchPlatformProps.builder()
                .onDemandFallback(true)
                .build());
        new ScheduledBatchWorkflow(workflowStack, "Nightly", ScheduledBatchWorkflowProps.builder()
                .platform(workflowPlatform)
                .schedule(ScheduleExpression.cron(CronOptionsWithTimezone.builder()
                        .hour("3").minute("30").timeZone(TimeZone.EUROPE_LONDON).build()))
                .overlapPolicy(OverlapPolicy.SKIP)
                .steps(List.of(
                        WorkflowStep.builder()
                                .name("extract")
                                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                                .command(List.of("python", "-m", "extract", "Ref::scheduledTime"))
                                .onDemandFallback(true)
                                .build(),
                        WorkflowStep.builder()
                                .name("transform")
                                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                                .dependsOn(List.of("extract"))
                                .arraySize(10)
                                .timeout(Duration.minutes(30))
                                .build(),
                        WorkflowStep.builder()
                                .name("load")
                                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/python:3.13-slim"))
                                .dependsOn(List.of("transform"))
                                .parameters(Map.of("target", "warehouse"))
                                .build()))
                .build());

        // --- Add the next construct here (same ids and props as ../typescript/app.ts).

        // --- The idle cost of every stack, as CostReport computes it: run.sh compares these lines across the languages.
        for (final Stack s : List.of(stack, oneLiner, shared, withSecrets, runControl, workflowStack)) {
            // monthlyUsd is a jsii number: a java.lang.Number that is an Integer when the figure is whole.
            System.out.println(String.format(Locale.ROOT, "COST %s %.2f", s.getStackName(), CostReport.of(s).getMonthlyUsd().doubleValue()));
        }

        app.synth();
    }
}
