package dev.kiln.cloud.service.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The web console's static files, served from this jar: {@code GET /} is the page, {@code
 * /console/NAME} its scripts, styles and icon. Nothing else, nothing from the file system, nothing
 * fetched from anywhere: the page's Content-Security-Policy allows only this origin, so no inline
 * script or style runs even if an API value were ever rendered as markup.
 *
 * <p>Files are read once and kept (the whole console is a few tens of KB). Each reply carries a
 * strong ETag (SHA-256 of the bytes) and {@code Cache-Control: no-cache}: the browser keeps its
 * copy but asks each time, so a new service version is picked up at the next load without renamed
 * files, at the cost of one 304 per file.
 */
public final class ConsoleFiles extends Handler.Abstract {
  /** Where the files live on the classpath. */
  static final String ROOT = "dev/kiln/cloud/service/console/";

  static final String PREFIX = "/console/";

  static final String CSP =
      "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self';"
          + " object-src 'none'";

  /** Names of console files: no dot-dot, no hidden files, one level of sub-folder at most. */
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9_-]+(/[a-z0-9_-]+)?\\.(html|js|css|svg)");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml");

  private final ClassLoader loader;
  private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

  private record File(byte[] bytes, String type, String etag) {}

  public ConsoleFiles() {
    this(ConsoleFiles.class.getClassLoader());
  }

  ConsoleFiles(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (!isConsolePath(path)) {
      return false;
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      reply(response, callback, 405, "text/plain; charset=utf-8", "only GET and HEAD here\n");
      return true;
    }
    String name = fileName(path);
    Optional<File> file = name == null ? Optional.empty() : cache.computeIfAbsent(name, this::load);
    if (file.isEmpty()) {
      reply(response, callback, 404, "text/plain; charset=utf-8", "no console file " + path + "\n");
      return true;
    }
    File f = file.get();
    securityHeaders(response);
    response.getHeaders().put(HttpHeader.ETAG, f.etag());
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    if (f.etag().equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
      response.setStatus(304);
      callback.succeeded();
      return true;
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, f.type());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, f.bytes().length);
    if (method.equals("HEAD")) {
      callback.succeeded();
    } else {
      response.write(true, ByteBuffer.wrap(f.bytes()), callback);
    }
    return true;
  }

  static boolean isConsolePath(String path) {
    return path != null && (path.equals("/") || path.equals("/console") || path.startsWith(PREFIX));
  }

  /** The file a console path asks for, or null for a name no console file can have. */
  static String fileName(String path) {
    if (path.equals("/") || path.equals("/console") || path.equals(PREFIX)) {
      return "index.html";
    }
    String name = path.substring(PREFIX.length());
    return NAME.matcher(name).matches() ? name : null;
  }

  private Optional<File> load(String name) {
    try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
      return Optional.of(new File(bytes, type, etag(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console file " + name, e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static void securityHeaders(Response response) {
    response.getHeaders().put("Content-Security-Policy", CSP);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put("X-Frame-Options", "DENY");
  }

  private static void reply(
      Response response, Callback callback, int status, String type, String text) {
    securityHeaders(response);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
  }
}
