import { Template } from 'aws-cdk-lib/assertions';

/** A widget of a dashboard body (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html). */
export interface DashboardWidget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { [key: string]: any };
}

/** The body of a template's one dashboard, parsed; each CloudFormation reference in it (a token) reads `{ref}`. */
export function dashboardBodyOf(template: Template): { widgets: DashboardWidget[] } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body
    : (body['Fn::Join'][1] as unknown[]).map(part => typeof part === 'string' ? part : '{ref}').join('');
  return JSON.parse(text);
}
