import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IConstruct } from 'constructs';
import { inHostSpelling, ValidationError } from '../../private/prop-names';
import {
  MAX_ALARM_WINDOW_SECONDS,
  SuccessWindow,
  deriveSuccessWindow,
  describeSeconds,
  scheduleCadence,
  slidingWindow,
} from '../../private/schedule-window';
import { validateWholeNumber } from '../../private/validate';

/** What the missed-run window is derived from. */
export interface MissedRunInput {
  readonly schedule?: scheduler.ScheduleExpression;
  readonly successWindow?: Duration;
  readonly jobTimeout?: Duration;
}

/**
 * The missed-run alarm's window: `successWindow` when given (checked against the schedule), else derived from the
 * schedule; undefined, with a warning on `scope`, when the schedule cannot be watched by an alarm.
 */
export function missedRunWindow(scope: IConstruct, props: MissedRunInput): SuccessWindow | undefined {
  const expression = props.schedule?.expressionString;
  const cadence = expression && !Token.isUnresolved(expression) ? scheduleCadence(expression) : undefined;

  if (props.successWindow) {
    if (props.successWindow.isUnresolved()) {
      throw new ValidationError("'successWindow' must be a concrete duration (it sets the alarm period), got a token.");
    }
    const seconds = props.successWindow.toSeconds({ integral: false });
    validateWholeNumber('successWindow', seconds, {
      min: 60,
      max: MAX_ALARM_WINDOW_SECONDS,
      unit: 'seconds',
      why: '(1 minute to 7 days, the longest CloudWatch alarm window)',
      fix: 'use e.g. Duration.days(1), or leave it unset to derive it from the schedule',
    });
    if (cadence && seconds < cadence.maxGapSeconds) {
      throw new ValidationError(`'successWindow' (${props.successWindow.toHumanString()}) is shorter than the period of the schedule `
        + `'${expression}' (${describeSeconds(cadence.maxGapSeconds)} between runs): the alarm would fire while nothing is `
        + `wrong. Set 'successWindow' to at least ${describeSeconds(cadence.maxGapSeconds)}, or leave it unset to derive it.`);
    }
    return slidingWindow(seconds);
  }

  if (!props.schedule) return undefined;
  if (!cadence) {
    Annotations.of(scope).addWarningV2('cdk-scheduled-batch:missedRunAlarmSkipped',
      inHostSpelling(`No missed-run alarm: the window cannot be derived from the schedule '${expression}' (one-time at(), a token, `
      + "or a cron using L, W, # or a year). Set 'successWindow' to the longest time between two successful runs."));
    return undefined;
  }
  const timeout = props.jobTimeout;
  const allowance = timeout && !timeout.isUnresolved() ? timeout.toSeconds() : 0;
  const window = deriveSuccessWindow(cadence, props.schedule.timeZone?.timezoneName, allowance);
  if (!window) {
    Annotations.of(scope).addWarningV2('cdk-scheduled-batch:missedRunAlarmSkipped',
      inHostSpelling(`No missed-run alarm: the schedule '${expression}' has ${describeSeconds(cadence.maxGapSeconds)} between runs, `
      + 'longer than the 7 days a CloudWatch alarm can look back.'));
  }
  return window;
}
