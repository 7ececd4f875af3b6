/**
 * Renders API Gateway mapping templates (VTL) in tests, with velocityjs and the few API Gateway objects the run API's
 * templates use: `$input.path`, `$input.params`, `$util.escapeJavaScript`, `$context.requestId`, and Java strings,
 * lists and maps (`replaceAll` takes a regular expression, as in Java).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
// velocityjs ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { render } = require('velocityjs') as { render: (template: string, context: object) => string };

class JavaString {
  constructor(private readonly s: string) {}
  public replaceAll(regex: unknown, replacement: unknown): JavaString {
    return new JavaString(this.s.replace(new RegExp(String(regex), 'g'), String(replacement)));
  }
  public substring(from: number, to?: number): JavaString { return new JavaString(this.s.substring(from, to)); }
  public length(): number { return this.s.length; }
  public startsWith(prefix: unknown): boolean { return this.s.startsWith(String(prefix)); }
  public toString(): string { return this.s; }
  public valueOf(): string { return this.s; }
}

/** JSON values as VTL sees them: Java strings, lists with size(), maps with containsKey() and get(). */
function javaValue(v: unknown): unknown {
  if (typeof v === 'string') return new JavaString(v);
  if (Array.isArray(v)) return Object.assign(v.map(javaValue), { size() { return v.length; } });
  if (v && typeof v === 'object') {
    const map: Record<string, unknown> = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, javaValue(x)]));
    Object.defineProperty(map, 'containsKey', { value: (k: unknown) => Object.prototype.hasOwnProperty.call(v, String(k)) });
    Object.defineProperty(map, 'get', { value: (k: unknown) => map[String(k)] });
    return map;
  }
  return v;
}

/** `$util.escapeJavaScript`: backslash-escapes quotes (single ones too), backslashes and control characters. */
function escapeJavaScript(value: unknown): JavaString {
  const s = String(value).replace(/[\\"'\/]/g, c => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return new JavaString(s);
}

export interface VtlRequest {
  /** The request (or, for a response template, the integration response) body. */
  readonly body?: unknown;
  readonly pathParameters?: Record<string, string>;
  readonly requestId?: string;
}

/** Renders `template` and returns the text and the status it overrides (if any). */
export function renderVtl(template: string, request: VtlRequest): { text: string; status?: number } {
  const body = javaValue(request.body ?? {});
  const context: any = { requestId: new JavaString(request.requestId ?? 'c0ffee12-3456-7890-abcd-ef0123456789'), responseOverride: {} };
  const input = {
    path: (p: unknown) => {
      const expr = String(p);
      if (expr === '$') return body;
      return expr.replace(/^\$\./, '').split('.').reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), body);
    },
    params: (name: unknown) => new JavaString(request.pathParameters?.[String(name)] ?? ''),
  };
  const text = render(template, { input, util: { escapeJavaScript }, context });
  return { text, status: context.responseOverride.status };
}
