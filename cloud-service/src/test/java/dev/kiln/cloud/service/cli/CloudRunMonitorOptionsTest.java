package dev.kiln.cloud.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln cloud run --monitor} refuses bad options before it starts anything. */
class CloudRunMonitorOptionsTest {
  @TempDir Path tmp;

  private CloudException refused(String... args) {
    AtomicReference<Exception> failure = new AtomicReference<>();
    CommandLine cli = new CommandLine(new CloudCommand());
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          failure.set(e);
          return 2;
        });
    cli.execute(args);
    assertThat(failure.get()).isInstanceOf(CloudException.class);
    return (CloudException) failure.get();
  }

  @Test
  void monitorWithoutBaseline_andBaselineWithoutMonitor_areUsageErrors() {
    String db = tmp.resolve("cloud.duckdb").toString();
    CloudException noBaseline = refused("run", "--db", db, "--monitor");
    assertThat(noBaseline.code()).isEqualTo(CloudErrorCode.USAGE);
    assertThat(noBaseline.getMessage()).contains("--baseline");
    CloudException noMonitor = refused("run", "--db", db, "--baseline", "b.json");
    assertThat(noMonitor.code()).isEqualTo(CloudErrorCode.USAGE);
    assertThat(noMonitor.getMessage()).contains("--monitor");
    assertThat(tmp.resolve("cloud.duckdb")).doesNotExist();
  }
}
