import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

/**
 * Renders API Gateway mapping templates with Apache Velocity 1.7 (Java), an engine independent of the velocityjs that
 * the unit tests use, with the API Gateway objects the run API's templates use: $input.path, $input.params,
 * $input.body, $util.escapeJavaScript (Apache Commons Lang's StringEscapeUtils.escapeJavaScript, whose rules the
 * mapping-template reference names), $context.requestId and $context.responseOverride.status.
 *
 *   java -cp <jars>:<classes> VtlRender cases.json rendered.json
 *
 * cases.json: [{ "template", "body" (the raw request or response text), "pathParameters", "requestId" }]
 * rendered.json: [{ "text", "status" }] in the same order, or { "error" } for a case Velocity refused.
 */
public class VtlRender {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** $util. */
  public static class Util {
    public String escapeJavaScript(String s) {
      return StringEscapeUtils.escapeJavaScript(s);
    }
  }

  /** $input: the body as JSON values (maps, lists, strings, numbers, booleans), its raw text, and the path parameters. */
  public static class Input {
    private final Object root;
    private final String body;
    private final Map<String, String> params;

    Input(String body, Map<String, String> params) throws Exception {
      this.body = body;
      this.root = body == null || body.isEmpty() ? new LinkedHashMap<String, Object>() : JSON.readValue(body, Object.class);
      this.params = params;
    }

    /** `$` or a dotted path `$.a.b`: the value there, or null. */
    public Object path(String expr) {
      if ("$".equals(expr)) return root;
      Object o = root;
      for (String key : expr.replaceFirst("^\\$\\.", "").split("\\.")) {
        if (!(o instanceof Map)) return null;
        o = ((Map<?, ?>) o).get(key);
      }
      return o;
    }

    public String params(String name) {
      String v = params.get(name);
      return v == null ? "" : v;
    }

    public String getBody() {
      return body;
    }
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    VelocityEngine engine = new VelocityEngine();
    engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    engine.init();
    List<Map<String, Object>> cases = JSON.readValue(new File(args[0]), List.class);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> c : cases) {
      Map<String, Object> result = new LinkedHashMap<>();
      try {
        Map<String, String> params = c.get("pathParameters") == null ? new HashMap<>() : (Map<String, String>) c.get("pathParameters");
        Map<String, Object> override = new HashMap<>();
        Map<String, Object> context = new HashMap<>();
        context.put("requestId", c.get("requestId"));
        context.put("responseOverride", override);
        VelocityContext vc = new VelocityContext();
        vc.put("input", new Input((String) c.get("body"), params));
        vc.put("util", new Util());
        vc.put("context", context);
        StringWriter w = new StringWriter();
        engine.evaluate(vc, w, "template", (String) c.get("template"));
        result.put("text", w.toString());
        result.put("status", override.get("status"));
      } catch (Exception e) {
        result.put("error", e.toString());
      }
      out.add(result);
    }
    JSON.writeValue(new File(args[1]), out);
  }
}
