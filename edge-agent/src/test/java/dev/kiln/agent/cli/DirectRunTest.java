package dev.kiln.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The service's command line is run without picocli, and fails exactly as under picocli. */
class DirectRunTest {
  @TempDir Path dir;

  @Test
  void theServicesCommandLine_isTakenInBothSpellings() {
    assertThat(DirectRun.config(new String[] {"run", "--config", "/etc/kiln/agent.json"}))
        .contains(Path.of("/etc/kiln/agent.json"));
    assertThat(DirectRun.config(new String[] {"run", "--config=agent.json"}))
        .contains(Path.of("agent.json"));
  }

  @Test
  void anythingElse_isLeftToPicocli() {
    String[][] others = {
      {},
      {"run"},
      {"run", "--config"},
      {"run", "--config="},
      {"run", "--config", "--help"},
      {"run", "--help"},
      {"run", "--config", "a.json", "--extra"},
      {"batch", "--config", "a.json"},
      {"--version"},
      {"run", "-c", "a.json"}
    };
    for (String[] args : others) {
      assertThat(DirectRun.config(args)).as(String.join(" ", args)).isEmpty();
    }
  }

  @Test
  void aFailedStart_exitsAndSaysTheSame_asThroughPicocli() throws Exception {
    Path bad = Files.writeString(dir.resolve("agent.json"), "{\"http\": {\"port\": \"eighty\"}}");
    StringWriter direct = new StringWriter();
    StringWriter viaPicocli = new StringWriter();

    int directExit = DirectRun.run(bad, new PrintWriter(direct, true));
    CommandLine cli = AgentCommandLine.create();
    cli.setErr(new PrintWriter(viaPicocli, true));
    int picocliExit = cli.execute("run", "--config", bad.toString());

    assertThat(directExit).isEqualTo(picocliExit).isEqualTo(2);
    assertThat(direct.toString())
        .startsWith("kiln-agent: INVALID_CONFIG")
        .isEqualTo(viaPicocli.toString());
  }
}
