package dev.kiln.cloud.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.fleet.cli.FleetCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kiln fleet deploy/status/devices/rollback} while the service runs: with {@code --api} and
 * a token file, or found through the service's state dir; the deployment runs in the service (no
 * console lock is taken by the CLI) and the command prints its progress to the end.
 */
class FleetCliOverApiIT {
  @TempDir static Path tmp;
  static ServiceFixture service;

  @BeforeAll
  static void start() throws Exception {
    service = ServiceFixture.start(tmp);
    service.devices("cli", 2, "lab");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> service.admin.get("/fleet/summary").json().path("online").asInt() == 2);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  record Run(int exit, String out, String err) {}

  static Run fleet(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new FleetCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private String url() {
    return "http://127.0.0.1:" + service.host.apiPort();
  }

  @Test
  void deploy_withApi_runsInTheService_andPrintsProgressToTheEnd_thenRollback() throws Exception {
    String token = service.state.resolve(TokenStore.ADMIN_TOKEN_FILE).toString();
    Run deploy =
        fleet(
            "deploy",
            "--api",
            url(),
            "--token-file",
            token,
            "--group",
            "lab",
            "--strategy",
            "canary:50:2s",
            service.artifact("3").toString());
    assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
    assertThat(deploy.out()).contains("queued by").contains("BAKING").contains("SUCCEEDED");
    String id = deploy.out().split(" ")[1];

    Run status = fleet("status", "--api", url(), "--token-file", token);
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains(id).contains("SUCCEEDED").contains("mlp@3");

    Run devices = fleet("devices", "--api", url(), "--token-file", token, "--group", "lab");
    assertThat(devices.exit()).isZero();
    assertThat(devices.out()).contains("cli-1").contains("cli-2");

    Run rollback = fleet("rollback", "--api", url(), "--token-file", token, id);
    assertThat(rollback.exit()).as(rollback.out() + rollback.err()).isZero();
    assertThat(rollback.out()).contains("ROLLED_BACK");
  }

  @Test
  void withoutApi_theServiceOnTheStateDir_isFound_andAnUnknownDeployment_exitsNotFound() {
    Run status = fleet("status", "--state-dir", service.state.toString(), "dep-nothing");
    assertThat(status.exit()).isEqualTo(10);
    assertThat(status.err()).contains("no deployment dep-nothing");
    Run viewerless =
        fleet("devices", "--api", url(), "--token-file", tmp.resolve("missing.token").toString());
    assertThat(viewerless.exit()).isEqualTo(2);
    assertThat(viewerless.err()).contains("--token-file");
  }
}
