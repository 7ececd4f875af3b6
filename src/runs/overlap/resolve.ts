import { OverlapPolicy } from '../overlap-policy';
import { OverlapStrategy } from './strategy';
import { ValidationError } from '../../private/prop-names';

/** The policy of a prop, checked: a foreign value (e.g. the string 'skip' from JavaScript or Python) is refused. */
export function overlapStrategy(prop: string, policy: OverlapPolicy | undefined): OverlapStrategy {
  if (policy === undefined) return OverlapPolicy.ALLOW._strategy;
  if (!OverlapPolicy.isOverlapPolicy(policy)) {
    const known = Object.values(OverlapPolicy).filter(p => OverlapPolicy.isOverlapPolicy(p)).map(p => `OverlapPolicy.${p.name}`);
    throw new ValidationError(`'${prop}' is ${JSON.stringify(policy)}: give one of ${known.slice(0, -1).join(', ')} or ${known[known.length - 1]} `
      + `(the same names in Python and Java; in Go, cdkscheduledbatch.OverlapPolicy_${(known[0] ?? '').replace('OverlapPolicy.', '')}() and so on).`);
  }
  return policy._strategy;
}
