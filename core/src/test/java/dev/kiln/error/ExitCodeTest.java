package dev.kiln.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExitCodeTest {
  @Test
  void everyNumber_meansOneThing() {
    assertThat(Arrays.stream(ExitCode.values()).map(ExitCode::number)).doesNotHaveDuplicates();
  }

  @Test
  void theReadmeCompileNumbers_stayWhatTheyWere() {
    assertThat(ExitCode.OK.number()).isZero();
    assertThat(ExitCode.USAGE.number()).isEqualTo(2);
    assertThat(ExitCode.UNSUPPORTED_MODEL.number()).isEqualTo(3);
    assertThat(ExitCode.OPTIMIZER_FAILED.number()).isEqualTo(4);
    assertThat(ExitCode.VERIFICATION_FAILED.number()).isEqualTo(5);
    assertThat(ExitCode.OUTPUT_EXISTS.number()).isEqualTo(7);
    assertThat(ExitCode.IO_ERROR.number()).isEqualTo(8);
    assertThat(ExitCode.INTERNAL.number()).isEqualTo(70);
  }

  @Test
  void theDocsTable_listsEveryCodeWithItsNumber() throws Exception {
    Path root = Path.of(System.getProperty("kiln.repo.root", ".."));
    String doc = Files.readString(root.resolve("docs/exit-codes.md"));

    for (ExitCode code : ExitCode.values()) {
      assertThat(doc).as("docs/exit-codes.md").contains("| " + code.number() + " | `" + code + "`");
    }
  }

  @Test
  void anExceptionCarriesItsCode_andTheCodePicksTheExitStatus() {
    enum Sample implements ErrorCode {
      BUSY;

      @Override
      public ExitCode exit() {
        return ExitCode.STORE_LOCKED;
      }

      @Override
      public boolean retryable() {
        return true;
      }
    }
    KilnException e = new KilnException(Sample.BUSY, "the store is busy");

    assertThat(e.code()).isEqualTo(Sample.BUSY);
    assertThat(e.code().exitCode()).isEqualTo(21);
    assertThat(e).hasMessage("the store is busy");
  }
}
