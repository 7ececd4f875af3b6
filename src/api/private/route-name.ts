import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from '../../private/prop-names';

/** Route names: one path segment, lower case. */
const ROUTE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A route name: the API's path part under /workloads and the name of its request model, both fixed at synth. `job`
 * names the job in the message of a token.
 */
export function validateRouteName(prop: string, routeName: string | undefined, job?: IConstruct): void {
  if (routeName === undefined) return;
  if (Token.isUnresolved(routeName)) {
    throw new ValidationError(`'${prop}'${job ? ` of ${job.node.path}` : ''} is a token (${routeName}): the route name is the API's path part and names its request model, both fixed at synth. `
      + "Give a literal, e.g. 'nightly-report'.");
  }
  if (typeof routeName !== 'string' || !ROUTE_NAME.test(routeName)) {
    throw new ValidationError(`'${prop}' is '${routeName}': use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit, for example 'nightly-report'.`);
  }
}
