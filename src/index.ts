export * from './compute-platform';
export * from './cost';
export * from './hardened-repository';
export * from './cost-optimized-vpc';
export * from './compute-reachability';
export * from './spot-compute-environment';
export * from './batch-alarms';
