import { ValidationError } from '../../private/prop-names';
import { BatchPlatformProps } from '../batch-platform-props';

/** What part of a platform a `BatchPlatformProps` prop configures. */
type Part = 'newVpc' | 'network' | 'kind' | 'compute' | 'queue' | 'computeEnvironment' | 'jobQueue' | 'notify' | 'access' | 'sharedLogs' | 'dashboard';

/**
 * Every `BatchPlatformProps` prop and the part it configures: the one list, complete by type (a new prop that is not
 * listed here does not compile). Bring-your-own conflicts and what a workload passes on are derived from it.
 */
const PART_OF: { readonly [K in keyof Required<BatchPlatformProps>]: Part } = {
  egress: 'newVpc',
  vpc: 'network',
  vpcSubnets: 'network',
  computePlatform: 'kind',
  spot: 'compute',
  maxvCpus: 'compute',
  onDemandFallback: 'compute',
  runnableTimeLimit: 'queue',
  fairShare: 'queue',
  computeEnvironment: 'computeEnvironment',
  jobQueue: 'jobQueue',
  alarmTopic: 'notify',
  jobAccess: 'access',
  sharedLogEncryptionKey: 'sharedLogs',
  platformDashboard: 'dashboard',
};

/** What a brought resource already decides, so the props for those parts must not be given with it. */
const DECIDED_BY: { readonly [brought: string]: { readonly parts: readonly Part[]; readonly fix: string } } = {
  jobQueue: {
    parts: ['newVpc', 'network', 'compute', 'queue', 'computeEnvironment', 'access'],
    fix: "a brought job queue already has its compute. Remove them, or drop 'jobQueue' to let the platform create the queue.",
  },
  computeEnvironment: {
    parts: ['newVpc', 'network', 'kind', 'compute'],
    fix: 'those configure the compute the platform would create. Set them on your SpotComputeEnvironment instead.',
  },
  vpc: {
    parts: ['newVpc'],
    fix: "egress profiles configure a new CostOptimizedVpc. Pass `new CostOptimizedVpc(this, 'Vpc', { egress })` as 'vpc', or drop one of them.",
  },
  platform: {
    parts: ['newVpc', 'network', 'kind', 'compute', 'queue', 'computeEnvironment', 'jobQueue', 'access', 'sharedLogs', 'dashboard'],
    fix: "a shared platform already has its network, compute, queue and shared logs. Its dashboard is its own too. Configure them on the BatchPlatform, or drop 'platform'.",
  },
};

const PLATFORM_PROPS = Object.keys(PART_OF) as Array<keyof BatchPlatformProps>;

/** Fails at synth when a brought resource (`brought`) is given with props that configure what it already decides. */
export function rejectConflicts(given: object, brought: keyof typeof DECIDED_BY): void {
  const props = given as { readonly [key: string]: unknown };
  if (props[brought] === undefined) return;
  const { parts, fix } = DECIDED_BY[brought];
  const conflicting = PLATFORM_PROPS.filter(k => k !== brought && parts.includes(PART_OF[k]) && props[k] !== undefined);
  if (conflicting.length > 0) {
    throw new ValidationError(`'${brought}' was given together with ${conflicting.map(k => `'${k}'`).join(', ')}: ${fix}`);
  }
}

/** The `BatchPlatformProps` among a workload's props, to create its own platform with. */
export function pickPlatformProps(props: BatchPlatformProps): BatchPlatformProps {
  const picked: { [key: string]: unknown } = {};
  for (const key of PLATFORM_PROPS) picked[key] = props[key];
  return picked as BatchPlatformProps;
}
