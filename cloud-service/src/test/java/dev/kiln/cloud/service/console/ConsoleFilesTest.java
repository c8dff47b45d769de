package dev.kiln.cloud.service.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConsoleFilesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Server server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new ConsoleFiles());
    server.start();
    base = "http://127.0.0.1:" + connector.getLocalPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  @Test
  void root_servesThePage_withAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> r = get("/", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(csp -> assertThat(csp).startsWith("default-src 'self';"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(r.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
  }

  @Test
  void scriptsAndStyles_haveTheirContentTypes() throws Exception {
    assertThat(get("/console/app.js", null).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get("/console/views/fleet.js", null).statusCode()).isEqualTo(200);
    assertThat(get("/console/app.css", null).headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
    assertThat(get("/console/favicon.svg", null).headers().firstValue("Content-Type"))
        .hasValue("image/svg+xml");
  }

  @Test
  void unchangedFile_isAnswered304_onItsEtag() throws Exception {
    String etag = get("/console/app.js", null).headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = get("/console/app.js", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void namesOutsideTheConsole_are404_andOtherPathsAreLeftToTheNextHandler() throws Exception {
    // Jetty refuses ambiguous (dot-dot) paths itself with 400; what reaches the handler gets 404.
    assertThat(get("/console/../pom.xml", null).statusCode()).isIn(400, 404);
    assertThat(get("/console/%2e%2e/ConsoleFiles.class", null).statusCode()).isIn(400, 404);
    assertThat(get("/console/missing.js", null).statusCode()).isEqualTo(404);
    assertThat(get("/console/ConsoleFiles.class", null).statusCode()).isEqualTo(404);
    assertThat(ConsoleFiles.isConsolePath("/api/v1/whoami")).isFalse();
  }

  @Test
  void everyFileThePageAndItsModulesLoad_isInTheJar() throws Exception {
    List<String> missing = new ArrayList<>();
    List<String> todo = new ArrayList<>(List.of("index.html"));
    List<String> seen = new ArrayList<>();
    Pattern html = Pattern.compile("(?:src|href)=\"/console/([^\"]+)\"");
    Pattern imports = Pattern.compile("(?m)^\\s*import\\s[^;]*?from\\s+'([^']+)';");
    while (!todo.isEmpty()) {
      String name = todo.remove(0);
      if (seen.contains(name)) {
        continue;
      }
      seen.add(name);
      String text = resource(name);
      if (text == null) {
        missing.add(name);
        continue;
      }
      Matcher m = (name.endsWith(".html") ? html : imports).matcher(text);
      while (m.find()) {
        String ref = m.group(1);
        todo.add(name.endsWith(".html") ? ref : URI.create(name).resolve(ref).getPath());
      }
    }
    assertThat(missing).isEmpty();
    assertThat(seen).contains("app.js", "chart.js", "views/fleet.js", "views/deployment.js");
  }

  @Test
  void noFileLoadsAnythingFromAnotherOrigin() throws Exception {
    for (String name :
        List.of("index.html", "app.js", "api.js", "chart.js", "dom.js", "favicon.svg")) {
      // The SVG namespace is a name, never fetched.
      String text = resource(name).replace("http://www.w3.org/2000/svg", "");
      assertThat(text).as(name).doesNotContain("http://").doesNotContain("https://");
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in =
        ConsoleFiles.class.getClassLoader().getResourceAsStream(ConsoleFiles.ROOT + name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
