import { OverlapStrategy } from './strategy';

/** ALLOW: a run starts whatever runs before it; nothing is added. */
export class AllowOverlap extends OverlapStrategy {
  public readonly name = 'ALLOW';
}
