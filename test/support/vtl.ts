/**
 * Renders API Gateway mapping templates (VTL) in tests, with velocityjs and the few API Gateway objects the run API's
 * templates use: `$input.path`, `$input.params`, `$input.body`, `$util.escapeJavaScript`, `$context.requestId`, and Java strings,
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

/**
 * `$util.escapeJavaScript` as Apache Commons Lang's `StringEscapeUtils.escapeJavaScript`, whose "JavaScript string
 * rules" the mapping-template reference names: `"`, `'`, `\` and `/` get a backslash; backspace, tab, line feed, form
 * feed and carriage return their short escapes; every other character below U+0020 or above U+007F a `\uXXXX` escape
 * (upper-case hex), so U+2028 and U+2029 come out as `\u2028` and `\u2029`. A null argument gives null.
 */
function escapeJavaScript(value: unknown): JavaString | undefined {
  if (value === undefined || value === null) return undefined;
  const short: Record<string, string> = { '\b': 'b', '\t': 't', '\n': 'n', '\f': 'f', '\r': 'r', '"': '"', "'": "'", '\\': '\\', '/': '/' };
  let out = '';
  const s = String(value);
  // UTF-16 code units, as Java's charAt: a character outside the BMP becomes two escapes (its surrogates).
  for (let i = 0; i < s.length; i++) {
    const unit = s.charAt(i);
    const code = s.charCodeAt(i);
    if (short[unit] !== undefined) out += `\\${short[unit]}`;
    else if (code < 0x20 || code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += unit;
  }
  return new JavaString(out);
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
    // The raw body: the request's text as the caller sent it (here, its JSON).
    body: new JavaString(typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {})),
  };
  const text = render(template, { input, util: { escapeJavaScript }, context });
  return { text, status: context.responseOverride.status };
}
