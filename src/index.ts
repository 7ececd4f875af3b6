// Cost: prices, line items and the report every construct answers to.
export * from './cost/cost';
export * from './cost/cost-report';
export * from './cost/run-cost';
// Network: the VPC compute runs in, and what it can reach.
export * from './network/cost-optimized-vpc-props';
export * from './network/cost-optimized-vpc';
export * from './network/compute-reachability';
// Compute: Spot compute environments and the platform (queue + compute + network) workloads share.
export * from './compute/compute-platform';
export * from './compute/spot-compute-environment-props';
export * from './compute/spot-compute-environment';
export * from './compute/fair-share';
export * from './compute/batch-platform-props';
export * from './compute/batch-platform';
// Jobs: what runs, and where its image comes from.
export * from './jobs/hardened-repository';
export * from './jobs/batch-job-options';
export * from './jobs/batch-job-ref';
export * from './jobs/batch-job';
// Alarms: signals on metrics and events AWS emits.
export * from './alarms/batch-queue-metrics';
export * from './alarms/batch-alarms-props';
export * from './alarms/batch-alarms';
export * from './alarms/platform-dashboard';
// Runs: the one run engine, its overlap policies, and every way a run starts on a schedule.
export * from './runs/overlap-policy';
export * from './runs/start-deadline';
export * from './runs/rollout';
export * from './runs/run-tracker';
export * from './runs/job-schedule';
export * from './runs/deploy-verification';
export * from './runs/scheduled-batch-workflow';
// API: runs started on demand.
export * from './api/run-api';
// The one-liner that wires them.
export * from './workload/scheduled-batch-workload';
export * from './workload/batch-fleet';
