package dev.kiln.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.error.ExitCode;
import dev.kiln.files.KeyFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeygenCommandTest {
  @TempDir Path tmp;

  @Test
  void keygen_writesA0600Key_andNeverOverwritesOne() throws Exception {
    Path key = tmp.resolve("capture.key");
    StringWriter err = new StringWriter();
    CommandLine cli = AgentCommandLine.create();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));

    assertThat(cli.execute("keygen", "--capture-key", key.toString())).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    byte[] first = KeyFiles.read(key, tmp.resolve("state"));
    assertThat(first).hasSize(32);

    assertThat(cli.execute("keygen", "--capture-key", key.toString()))
        .isEqualTo(ExitCode.USAGE.number());
    assertThat(err.toString()).contains("already exists");
    assertThat(KeyFiles.read(key, tmp.resolve("state"))).isEqualTo(first);
  }
}
