// The Go consumer of the four-language proof (see test/consumers/README.md).
//
// It builds the same stack as ../typescript/app.ts (same ids, same props, same order) from the module jsii-pacmak
// generated in dist/go (go.mod replaces the library's module path with it); ../run.sh compares the templates byte
// for byte.
//
// Usage: go run . <outdir>
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-scheduled-batch/cdk-scheduled-batch-go/cdkscheduledbatch"
)

func main() {
	defer jsii.Close()

	outdir := "cdk.out"
	if len(os.Args) > 1 {
		outdir = os.Args[1]
	}
	// No CDKMetadata resource: it records the language runtime, which is the one thing that legitimately differs.
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("ConsumerExample"), nil)

	// --- HardenedRepository: a KMS key crosses the language boundary, plus lists, numbers and a Duration.
	key := awskms.NewKey(stack, jsii.String("ImagesKey"), &awskms.KeyProps{
		EnableKeyRotation: jsii.Bool(true),
		Description:       jsii.String("Encrypts container images at rest"),
	})
	cdkscheduledbatch.NewHardenedRepository(stack, jsii.String("Images"), &cdkscheduledbatch.HardenedRepositoryProps{
		EncryptionKey:       key,
		MutableTagPatterns:  jsii.Strings("latest", "dev-*"),
		MaxTaggedImages:     jsii.Number(25),
		UntaggedImageExpiry: awscdk.Duration_Days(jsii.Number(3)),
	})
	// --- HardenedRepository with defaults, replicated: an array of structs crosses the boundary.
	cdkscheduledbatch.NewHardenedRepository(stack, jsii.String("MirroredImages"), &cdkscheduledbatch.HardenedRepositoryProps{
		ReplicationDestinations: &[]*cdkscheduledbatch.ReplicationDestination{{Region: jsii.String("eu-west-1")}},
	})

	// --- The one-liner, in its own stack: its own VPC, compute, queue, schedule, logs, IAM and alarms.
	oneLiner := awscdk.NewStack(app, jsii.String("ConsumerOneLiner"), nil)
	cdkscheduledbatch.NewScheduledBatchWorkload(oneLiner, jsii.String("NightlyReport"), &cdkscheduledbatch.ScheduledBatchWorkloadProps{
		Schedule: awsscheduler.ScheduleExpression_Cron(&awsscheduler.CronOptionsWithTimezone{
			Hour: jsii.String("2"), Minute: jsii.String("0"), TimeZone: awscdk.TimeZone_EUROPE_LONDON(),
		}),
		Image:   awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
		Command: jsii.Strings("python", "-c", `print("hello")`),
	})

	// --- Two workloads on a shared Fargate platform: an enum, a construct passed as a prop, Size, maps and lists.
	shared := awscdk.NewStack(app, jsii.String("ConsumerSharedPlatform"), nil)
	platform := cdkscheduledbatch.NewBatchPlatform(shared, jsii.String("Platform"), &cdkscheduledbatch.BatchPlatformProps{
		ComputePlatform: cdkscheduledbatch.ComputePlatform_FARGATE,
	})
	for _, name := range []string{"Billing", "Reports"} {
		cdkscheduledbatch.NewScheduledBatchWorkload(shared, jsii.String(name), &cdkscheduledbatch.ScheduledBatchWorkloadProps{
			Platform:           platform,
			Schedule:           awsscheduler.ScheduleExpression_Rate(awscdk.Duration_Hours(jsii.Number(24))),
			Image:              awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
			Cpu:                jsii.Number(0.5),
			Memory:             awscdk.Size_Gibibytes(jsii.Number(1)),
			Environment:        &map[string]*string{"STAGE": jsii.String("prod")},
			RetryableExitCodes: jsii.Strings("75"),
		})
	}

	// --- Maps given in a different key order in every language (here: map literals, whose iteration order Go
	// randomizes), and secrets.
	withSecrets := awscdk.NewStack(app, jsii.String("ConsumerEnvironmentAndSecrets"), nil)
	dbPassword := awsssm.StringParameter_FromSecureStringParameterAttributes(withSecrets, jsii.String("DbPassword"),
		&awsssm.SecureStringParameterAttributes{ParameterName: jsii.String("/consumer/db-password")})
	apiToken := awssecretsmanager.Secret_FromSecretNameV2(withSecrets, jsii.String("ApiToken"), jsii.String("consumer/api-token"))
	cdkscheduledbatch.NewScheduledBatchWorkload(withSecrets, jsii.String("Export"), &cdkscheduledbatch.ScheduledBatchWorkloadProps{
		ComputePlatform: cdkscheduledbatch.ComputePlatform_FARGATE,
		Schedule: awsscheduler.ScheduleExpression_Cron(&awsscheduler.CronOptionsWithTimezone{
			Hour: jsii.String("3"), Minute: jsii.String("15"), TimeZone: awscdk.TimeZone_EUROPE_LONDON(),
		}),
		Image: awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
		Environment: &map[string]*string{
			"OUTPUT_BUCKET": jsii.String("reports"),
			"TZ":            jsii.String("Europe/London"),
			"LOG_LEVEL":     jsii.String("info"),
			"REGION_NAME":   jsii.String("eu-west-1"),
		},
		Secrets: &map[string]awsbatch.Secret{
			"DB_PASSWORD": awsbatch.Secret_FromSsmParameter(dbPassword),
			"API_TOKEN":   awsbatch.Secret_FromSecretsManager(apiToken, nil),
		},
	})

	// --- Run control: a run-now API, the overlap policies, declared parameters (a map literal: Go randomizes map
	// iteration) and verification at deploy.
	runControl := awscdk.NewStack(app, jsii.String("ConsumerRunControl"), nil)
	runApi := cdkscheduledbatch.NewRunApi(runControl, jsii.String("RunApi"), nil)
	report := cdkscheduledbatch.NewScheduledBatchWorkload(runControl, jsii.String("Report"), &cdkscheduledbatch.ScheduledBatchWorkloadProps{
		RunApi: runApi,
		Schedule: awsscheduler.ScheduleExpression_Cron(&awsscheduler.CronOptionsWithTimezone{
			Hour: jsii.String("2"), Minute: jsii.String("0"), TimeZone: awscdk.TimeZone_EUROPE_LONDON(),
		}),
		Image:   awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
		Command: jsii.Strings("python", "-m", "report", "Ref::scheduledTime", "Ref::region"),
		Parameters: &map[string]*string{
			"region": jsii.String("eu"),
			"format": jsii.String("csv"),
			"mode":   jsii.String("full"),
		},
		OverlapPolicy:  cdkscheduledbatch.OverlapPolicy_QUEUE(),
		Timeout:        awscdk.Duration_Minutes(jsii.Number(10)),
		VerifyOnDeploy: jsii.Bool(true),
	})
	cdkscheduledbatch.NewScheduledBatchWorkload(runControl, jsii.String("Ingest"), &cdkscheduledbatch.ScheduledBatchWorkloadProps{
		Platform:        report.Platform(),
		RunApi:          runApi,
		RunApiRouteName: jsii.String("ingest-hourly"),
		Schedule:        awsscheduler.ScheduleExpression_Rate(awscdk.Duration_Hours(jsii.Number(1))),
		Image:           awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
		OverlapPolicy:   cdkscheduledbatch.OverlapPolicy_SKIP(),
	})
	report.GrantRun(awsiam.NewRole(runControl, jsii.String("Operators"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewAccountRootPrincipal(),
	}))

	// --- Workflow: a graph of steps (a list of structs, each with a list of names), fan-out and the On-Demand fallback.
	workflowStack := awscdk.NewStack(app, jsii.String("ConsumerWorkflow"), nil)
	workflowPlatform := cdkscheduledbatch.NewBatchPlatform(workflowStack, jsii.String("Platform"), &cdkscheduledbatch.BatchPlatformProps{
		OnDemandFallback: jsii.Bool(true),
	})
	cdkscheduledbatch.NewScheduledBatchWorkflow(workflowStack, jsii.String("Nightly"), &cdkscheduledbatch.ScheduledBatchWorkflowProps{
		Platform: workflowPlatform,
		Schedule: awsscheduler.ScheduleExpression_Cron(&awsscheduler.CronOptionsWithTimezone{
			Hour: jsii.String("3"), Minute: jsii.String("30"), TimeZone: awscdk.TimeZone_EUROPE_LONDON(),
		}),
		OverlapPolicy: cdkscheduledbatch.OverlapPolicy_SKIP(),
		Steps: &[]*cdkscheduledbatch.WorkflowStep{
			{
				Name:             jsii.String("extract"),
				Image:            awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
				Command:          jsii.Strings("python", "-m", "extract", "Ref::scheduledTime"),
				OnDemandFallback: jsii.Bool(true),
			},
			{
				Name:      jsii.String("transform"),
				Image:     awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
				DependsOn: jsii.Strings("extract"),
				ArraySize: jsii.Number(10),
				Timeout:   awscdk.Duration_Minutes(jsii.Number(30)),
			},
			{
				Name:       jsii.String("load"),
				Image:      awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
				DependsOn:  jsii.Strings("transform"),
				Parameters: &map[string]*string{"target": jsii.String("warehouse")},
			},
		},
	})

	// --- Add the next construct here (same ids and props as ../typescript/app.ts).

	// --- The idle cost of every stack, as CostReport computes it: run.sh compares these lines across the languages.
	for _, s := range []awscdk.Stack{stack, oneLiner, shared, withSecrets, runControl, workflowStack} {
		fmt.Printf("COST %s %.2f\n", *s.StackName(), *cdkscheduledbatch.CostReport_Of(s).MonthlyUsd())
	}

	app.Synth(nil)

	// --- A refused prop is named as Go writes it (run.sh checks the REFUSED line): the library reads the JSII_AGENT
	// the jsii runtime sets. In an app of its own, so the templates above are untouched.
	fmt.Printf("REFUSED %s\n", strings.SplitN(refusedMessage(), "\n", 2)[0])
}

// refusedMessage is the message of the panic a workload with a run deadline but no run tracking raises.
func refusedMessage() (message string) {
	defer func() {
		if r := recover(); r != nil {
			message = fmt.Sprint(r)
		}
	}()
	cdkscheduledbatch.NewScheduledBatchWorkload(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Refused"), nil), jsii.String("Workload"),
		&cdkscheduledbatch.ScheduledBatchWorkloadProps{
			Schedule:    awsscheduler.ScheduleExpression_Rate(awscdk.Duration_Hours(jsii.Number(24))),
			Image:       awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim"), nil),
			RunDeadline: awscdk.Duration_Hours(jsii.Number(2)),
			TrackRuns:   jsii.Bool(false),
		})
	return "nothing"
}
