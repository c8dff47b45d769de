package dev.kiln.cloud.service.api;

import dev.kiln.cloud.service.auth.Role;
import java.util.List;
import java.util.Map;

/**
 * One operation of the API: a method, a path template under {@code /api/v1} with {@code {name}}
 * segments, the least role allowed to call it (null: no token needed) and what answers it.
 */
public record Route(String method, String template, Role role, Handler handler) {
  /** Answers one call: returns the reply body (serialised as JSON), or writes the reply itself. */
  @FunctionalInterface
  public interface Handler {
    Reply handle(ApiCall call) throws Exception;
  }

  /** A reply's status and JSON body; {@link #WRITTEN} when the handler wrote the reply itself. */
  public record Reply(int status, Object body) {
    public static final Reply WRITTEN = new Reply(-1, null);

    public static Reply ok(Object body) {
      return new Reply(200, body);
    }

    public static Reply accepted(Object body) {
      return new Reply(202, body);
    }
  }

  public static Route get(String template, Role role, Handler h) {
    return new Route("GET", template, role, h);
  }

  public static Route post(String template, Role role, Handler h) {
    return new Route("POST", template, role, h);
  }

  List<String> segments() {
    return List.of(template.substring(1).split("/"));
  }

  /** The path parameters when {@code path} (split at '/') matches the template, else null. */
  Map<String, String> match(List<String> path) {
    List<String> mine = segments();
    if (mine.size() != path.size()) {
      return null;
    }
    Map<String, String> params = new java.util.HashMap<>();
    for (int i = 0; i < mine.size(); i++) {
      String m = mine.get(i);
      if (m.startsWith("{") && m.endsWith("}")) {
        if (path.get(i).isEmpty()) {
          return null;
        }
        params.put(m.substring(1, m.length() - 1), path.get(i));
      } else if (!m.equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }
}
