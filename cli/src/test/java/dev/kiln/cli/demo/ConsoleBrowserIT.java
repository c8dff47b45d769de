package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cli.CliRun;
import dev.kiln.fleet.state.DeviceRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * The web console in headless Chromium against the real service: simulated devices and two real
 * kiln-agent processes report to it over MQTT; a person signs in, sees the devices, starts a canary
 * from the New deployment form with a real compiled artifact, watches it progress to SUCCEEDED, and
 * sees the model's charts fill from the traffic the agents served; a viewer cannot deploy. Runs in
 * order on one fleet. Screenshots go to target/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final List<String> AGENTS = List.of("lab-1", "lab-2");
  private static final int SIMULATED = 20;

  @TempDir static Path tmp;
  private static ConsoleService service;
  private static final Map<String, DemoAgent> agents = new LinkedHashMap<>();
  private static HeadlessChromium browser;
  private static ConsolePage page;
  private static DemoLoad load;
  private static Path v2;

  @BeforeAll
  static void start() throws Exception {
    HeadlessChromium.CHROMIUM.require();
    HeadlessChromium.CHROMEDRIVER.require();
    Path artifactKey = DemoKeys.generate(tmp.resolve("keys"));
    Path v1 = BanditClient.compileMlp(tmp.resolve("artifacts"), "1", artifactKey);
    v2 = BanditClient.compileMlp(tmp.resolve("artifacts"), "2", artifactKey);
    service = ConsoleService.start(tmp.resolve("service"));
    for (String id : AGENTS) {
      DemoAgent.Setup setup =
          DemoAgent.configure(
              tmp.resolve("agents").resolve(id),
              new DemoAgent.Device(
                  id,
                  null,
                  List.of("lab"),
                  List.of(v1),
                  List.of(artifactKey.resolveSibling("kiln.pub"), service.consolePub()),
                  "mlp",
                  service.brokerUrl(),
                  1));
      agents.put(id, DemoAgent.launch(setup));
    }
    service.simulate("sim", SIMULATED, "sims", artifactKey.getParent(), Duration.ofSeconds(5));
    for (DemoAgent a : agents.values()) {
      a.awaitHealthy(WAIT);
    }
    // Each agent's first heartbeat too: a deployment takes the version to roll back to from it.
    await()
        .atMost(WAIT)
        .until(
            () ->
                service.online() >= AGENTS.size() + SIMULATED
                    && AGENTS.stream().allMatch(ConsoleBrowserIT::reporting));
    browser = HeadlessChromium.start(tmp.resolve("chromium"));
    page = new ConsolePage(browser, service.url());
  }

  @AfterAll
  static void stop() throws Exception {
    if (load != null) {
      load.close();
    }
    if (browser != null) {
      browser.close();
    }
    for (DemoAgent a : agents.values()) {
      a.close();
    }
    if (service != null) {
      service.close();
    }
  }

  @Test
  @Order(1)
  void operator_signsIn_andSeesTheDevices() throws Exception {
    page.signIn(service.operatorToken());
    assertThat(page.text("#who")).isEqualTo("olivia (operator)");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(page.text("#tile-devices"))
                    .startsWith(String.valueOf(AGENTS.size() + SIMULATED)));
    String table = page.text("#devices table");
    assertThat(table).contains("lab-1", "lab-2", "sim-1", "mlp@1", "online");
    browser.screenshot("fleet");

    // The group filter narrows the table to the real agents.
    page.waitFor("#filter-group option[value='lab']").click();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(page.all("#devices tbody tr")).hasSize(AGENTS.size()));
  }

  @Test
  @Order(2)
  void canaryStartedFromTheForm_progresses_andPromotesToSucceeded() throws Exception {
    // Production-like traffic while the canary bakes: the gates judge the agents' own reports.
    load = new DemoLoad(agents.values().stream().map(DemoAgent::baseUrl).toList(), reference());
    page.go("#/deployments");
    type("#artifact", v2.toString());
    type("#strategy", "canary:50:3s");
    type("#target", "group:lab");
    type("#maxErrorRate", "0.05");
    // Latency is not judged on a shared CI machine: a cold new version is slower for a while.
    type("#maxP95Ratio", "50");
    page.waitFor("#deploy-button").click();
    WebElement link = page.waitFor("#new-deployment");
    String id = link.getText();
    link.click();
    page.waitFor("#deployment-state");

    Set<String> seen = new LinkedHashSet<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              String state = page.waitFor("#deployment-state").getAttribute("data-state");
              seen.add(state);
              return state.equals("SUCCEEDED") || isTerminal(state);
            });
    System.out.println("deployment " + id + " states seen on the page: " + seen);
    assertThat(page.waitFor("#deployment-state").getAttribute("data-state"))
        .as(page.text("main"))
        .isEqualTo("SUCCEEDED");
    assertThat(seen).as("the page followed the rollout while it ran").hasSizeGreaterThan(1);
    assertThat(page.all("#timeline li[data-phase]")).isNotEmpty();
    assertThat(page.text("#deployment-devices table")).contains("lab-1", "lab-2");
    browser.screenshot("deployment-timeline");
    for (String device : AGENTS) {
      await().atMost(WAIT).until(() -> "2".equals(record(device).reported().get("mlp")));
    }
  }

  @Test
  @Order(3)
  void modelCharts_fillFromTheTrafficTheAgentsServed() throws Exception {
    page.go("#/models/mlp");
    page.waitFor("#model-charts");
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(points("#chart-traffic")).isPositive();
              assertThat(points("#model-charts figure[id^='chart-latency-']")).isPositive();
            });
    assertThat(page.text("#model-charts")).contains("Traffic", "Latency of 2");
    browser.screenshot("model-charts");
  }

  @Test
  @Order(4)
  void capturesAuditAndMonitoring_showTheirTables_withoutErrors() {
    page.go("#/captures");
    assertThat(page.text("#captures table")).contains("lab-1").contains("mlp");
    page.go("#/audit");
    // The canary the operator started is on record, with who started it.
    assertThat(page.text("#audit table")).contains("olivia").contains("deployments");
    page.go("#/monitoring");
    page.waitFor("#violations table, #violations .empty");
    page.waitFor("#quality table, #quality .empty");
    assertThat(page.all("main .alert")).isEmpty();
  }

  @Test
  @Order(5)
  void viewer_cannotPressDeploy_andAForcedRequestShowsThe403() throws Exception {
    page.script("sessionStorage.clear()");
    page.signIn(service.viewerToken());
    assertThat(page.text("#who")).isEqualTo("victor (viewer)");
    page.go("#/deployments");
    WebElement deploy = page.waitFor("#deploy-button");
    assertThat(deploy.isEnabled()).isFalse();
    assertThat(page.text("#deploy-denied")).contains("viewer").contains("operator");
    type("#artifact", v2.toString());
    // As a person could with the browser's developer tools: send the form with the button off.
    page.script("document.getElementById('deploy-form').requestSubmit()");
    assertThat(page.text("#deploy-result .alert")).contains("403").contains("operator");
    browser.screenshot("viewer");
  }

  // ---------------------------------------------------------------------------------------------

  private static long points(String css) {
    return ((Number)
            page.script(
                "return [...document.querySelectorAll(arguments[0])]"
                    + ".reduce((n, f) => n + f.querySelectorAll('circle.point').length, 0)",
                css))
        .longValue();
  }

  private static void type(String css, String text) {
    WebElement field = page.waitFor(css);
    field.clear();
    field.sendKeys(text);
  }

  private static boolean isTerminal(String state) {
    return Set.of("PARTIALLY_SUCCEEDED", "ROLLED_BACK", "FAILED", "CANCELLED", "TIMED_OUT")
        .contains(state);
  }

  private static Path reference() {
    return CliRun.sample("mlp/mlp.reference.json");
  }

  private static DeviceRecord record(String id) {
    return service.host().console().devices().stream()
        .filter(r -> r.deviceId().equals(id))
        .findFirst()
        .orElse(null);
  }

  private static boolean reporting(String id) {
    DeviceRecord r = record(id);
    return r != null && r.online() && r.metricsAt() > 0;
  }
}
