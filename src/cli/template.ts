/**
 * The one (or the chosen) AWS::Scheduler::Schedule of a synthesized template (cdk.out/<Stack>.template.json), for the
 * CLIs: the backfill's dry run reads its expression, the runs CLI its logical id. Node built-ins only.
 */
import * as fs from 'fs';
import { UsageError } from './args';

export interface TemplateSchedule {
  readonly logicalId: string;
  /** The construct path (`aws:cdk:path` metadata), when the template has it. */
  readonly path?: string;
  readonly properties: { readonly [key: string]: any };
}

/** Reads `file` and picks its schedule: the only one, or the one `id` names by logical id or by part of its id or path. */
export function templateSchedule(file: string, id: string | undefined, idFlag = '--schedule-id'): TemplateSchedule {
  let template: any;
  try {
    template = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--template ${file} cannot be read as a JSON template: ${(e as Error).message}`);
  }
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    throw new UsageError(`--template ${file} holds ${template === null ? 'null' : Array.isArray(template) ? 'an array' : `a ${typeof template}`}, not a CloudFormation template (an object with Resources).`);
  }
  const all: TemplateSchedule[] = Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r?.Type === 'AWS::Scheduler::Schedule')
    .map(([logicalId, r]) => ({ logicalId, path: r.Metadata?.['aws:cdk:path'] as string | undefined, properties: r.Properties ?? {} }));
  const describe = (list: TemplateSchedule[]) => list.map(c => `  ${c.logicalId}${c.path ? ` (${c.path})` : ''}: ${JSON.stringify(c.properties.ScheduleExpression)}`
    + `${c.properties.ScheduleExpressionTimezone ? ` in ${JSON.stringify(c.properties.ScheduleExpressionTimezone)}` : ''}`).join('\n');
  if (all.length === 0) throw new UsageError(`--template ${file} has no AWS::Scheduler::Schedule.`);
  if (id === undefined) {
    if (all.length > 1) throw new UsageError(`${file} has ${all.length} schedules: choose one with ${idFlag} <logical id or path part>:\n${describe(all)}`);
    return all[0];
  }
  const exact = all.filter(c => c.logicalId === id);
  const chosen = exact.length > 0 ? exact : all.filter(c => c.logicalId.includes(id) || (c.path ?? '').includes(id));
  if (chosen.length !== 1) {
    throw new UsageError(`${idFlag} '${id}' matches ${chosen.length} of the schedules in ${file}; give one of:\n${describe(chosen.length ? chosen : all)}`);
  }
  return chosen[0];
}
