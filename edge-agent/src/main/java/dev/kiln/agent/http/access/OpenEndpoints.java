package dev.kiln.agent.http.access;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The endpoints that need no token ({@code http.auth.openEndpoints}): {@code "METHOD /path"}
 * patterns where {@code *} stands for exactly one path segment.
 */
public final class OpenEndpoints {
  private final List<Endpoint> endpoints = new ArrayList<>();

  private record Endpoint(String method, String[] segments) {}

  public OpenEndpoints(List<String> patterns) {
    for (String pattern : patterns) {
      int space = pattern.indexOf(' ');
      endpoints.add(
          new Endpoint(pattern.substring(0, space), segments(pattern.substring(space + 1))));
    }
  }

  public boolean isOpen(String method, String path) {
    String[] request = segments(path);
    for (Endpoint e : endpoints) {
      if (e.method.equals(method) && matches(e.segments, request)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String[] pattern, String[] request) {
    if (pattern.length != request.length) {
      return false;
    }
    for (int i = 0; i < pattern.length; i++) {
      boolean wildcard = pattern[i].equals("*") && !request[i].isEmpty();
      if (!wildcard && !pattern[i].equals(request[i])) {
        return false;
      }
    }
    return true;
  }

  /** The router takes {@code /models/} for {@code /models}, so one trailing slash is ignored. */
  private static String[] segments(String path) {
    String trimmed =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return trimmed.split("/", -1);
  }

  @Override
  public String toString() {
    List<String> out = new ArrayList<>();
    endpoints.forEach(e -> out.add(e.method + " " + String.join("/", Arrays.asList(e.segments))));
    return out.toString();
  }
}
