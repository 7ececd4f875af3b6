import { Duration, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import { Construct } from 'constructs';
import { validateTeam } from '../../private/fair-share';
import { ValidationError } from '../../private/prop-names';
import { rejectUnknownKeys } from '../../private/struct-keys';
import { validateDuration, validateList, validateWholeNumber } from '../../private/validate';
import { FairShareOptions, TeamCap } from '../fair-share';

/** Defaults and bounds of `FairShareOptions` (API_FairsharePolicy, API_ShareAttributes). */
export const FAIR_SHARE_DEFAULTS = {
  weight: 1,
  maxWeight: 1000,
  computeReservation: 0,
  maxComputeReservation: 99,
  shareDecaySeconds: 0,
  maxShareDecaySeconds: 604_800,
} as const;

/** AWS Batch's `weightFactor` of a relative weight: inverse, 4 decimals (0.0001 to 999.9999). */
export function weightFactor(weight: number): number {
  return Token.isUnresolved(weight) ? weight : Math.round(10_000 / weight) / 10_000;
}

/** The scheduling policy of a fair-share platform and the consumable resource of every capped team. */
export function createFairShare(scope: Construct, options: FairShareOptions):
{ policy: batch.FairshareSchedulingPolicy; caps: Map<string, TeamCap> } {
  rejectUnknownKeys('FairShareOptions', options);
  validateWholeNumber('fairShare.computeReservation', options.computeReservation, {
    min: 0, max: FAIR_SHARE_DEFAULTS.maxComputeReservation, unit: 'percent', fix: 'use 0 to hold nothing back',
  });
  validateDuration('fairShare.shareDecay', options.shareDecay, {
    minSeconds: 0, maxSeconds: FAIR_SHARE_DEFAULTS.maxShareDecaySeconds, why: '(FairsharePolicy shareDecaySeconds)', fix: 'use Duration.seconds(0) to count only current use',
  });
  const seen = new Set<string>();
  const caps = new Map<string, TeamCap>();
  const shares: batch.Share[] = [];
  validateList('fairShare.shares', options.shares, 'team share', "[{ team: 'analytics', weight: 1 }]");
  for (const share of options.shares ?? []) {
    rejectUnknownKeys('TeamShare', share);
    validateTeam('fairShare.shares[].team', share.team);
    if (seen.has(share.team)) {
      throw new ValidationError(`'fairShare.shares' lists the team '${share.team}' twice: give each team one entry with its weight and cap.`);
    }
    seen.add(share.team);
    validateWholeNumber(`fairShare.shares[${share.team}].weight`, share.weight, {
      min: 1, max: FAIR_SHARE_DEFAULTS.maxWeight, fix: 'a team of weight 2 gets twice the vCPUs of a team of weight 1',
    });
    validateWholeNumber(`fairShare.shares[${share.team}].maxvCpus`, share.maxvCpus, { min: 1, unit: 'vCPUs', fix: 'leave it out for no cap' });
    shares.push({ shareIdentifier: share.team, weightFactor: weightFactor(share.weight ?? FAIR_SHARE_DEFAULTS.weight) });
    if (share.maxvCpus !== undefined) {
      if (Token.isUnresolved(share.team)) {
        throw new ValidationError(`'fairShare.shares[].team' is a token (${share.team}) on a team with 'maxvCpus': the team's cap is a resource named after the team at synth. `
          + 'Give the team as a literal, or leave out its maxvCpus.');
      }
      // The id is the team's name: a team is a stable key like a construct id, and reordering `shares` must not
      // replace the resource (its quantity held by running jobs).
      const resource = new batch.CfnConsumableResource(scope, `TeamCap${share.team}`, {
        resourceType: 'REPLENISHABLE',
        totalQuantity: share.maxvCpus,
      });
      caps.set(share.team, { team: share.team, consumableResourceArn: resource.attrConsumableResourceArn, maxvCpus: share.maxvCpus });
    }
  }
  const policy = new batch.FairshareSchedulingPolicy(scope, 'SchedulingPolicy', {
    computeReservation: options.computeReservation ?? FAIR_SHARE_DEFAULTS.computeReservation,
    shareDecay: options.shareDecay ?? Duration.seconds(FAIR_SHARE_DEFAULTS.shareDecaySeconds),
    shares,
  });
  return { policy, caps };
}
