package dev.kiln.link.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkWireTest {
  private static final BenchmarkReport REPORT =
      new BenchmarkReport(
          "cam-17",
          2,
          List.of(
              new BenchmarkReport.Row(
                  "cnn",
                  "1",
                  "int8",
                  new BenchmarkPayload.Config(1, 2, 16, 8),
                  5210,
                  0,
                  2.0,
                  0.21,
                  0.48,
                  0.91,
                  2605.0,
                  141.2,
                  0,
                  null)));

  @Test
  void aReportTravelsInTheSucceededReplysResult_andReadsBack() throws Exception {
    CommandReply reply =
        new CommandReply(
            1,
            "c1",
            "cam-17",
            CommandReply.Status.SUCCEEDED,
            null,
            100,
            "measured 1 of 1 configurations",
            7L,
            ProtocolJson.mapper().valueToTree(REPORT));

    CommandReply read = ProtocolJson.read(ProtocolJson.write(reply), CommandReply.class);

    // JSON trees compare by node type (an int read back may be a long), so the report is compared
    // as the record it is.
    assertThat(read).usingRecursiveComparison().ignoringFields("result").isEqualTo(reply);
    assertThat(ProtocolJson.mapper().treeToValue(read.result(), BenchmarkReport.class))
        .isEqualTo(REPORT);
  }

  @Test
  void repliesWithoutAResult_readAsBefore_andOlderRepliesStillParse() {
    CommandReply plain =
        new CommandReply(1, "c1", "d", CommandReply.Status.ACCEPTED, null, null, null, 5L);
    assertThat(new String(ProtocolJson.write(plain), StandardCharsets.UTF_8))
        .doesNotContain("result");
    String older =
        "{\"schema\":1,\"commandId\":\"c1\",\"deviceId\":\"d\",\"status\":\"FAILED\","
            + "\"code\":\"NOT_READY\",\"message\":\"m\",\"ts\":5}";
    CommandReply read =
        ProtocolJson.read(older.getBytes(StandardCharsets.UTF_8), CommandReply.class);
    assertThat(read.result()).isNull();
    assertThat(read.code()).isEqualTo("NOT_READY");
  }

  @Test
  void configLabels_andRowSummaries_readForPeople() {
    assertThat(new BenchmarkPayload.Config(1, 2, 16, 8).label()).isEqualTo("t1 p2 batch16 c8");
    assertThat(new BenchmarkPayload.Config(2, 1, 1, 1).label()).isEqualTo("t2 p1 nobatch c1");
    assertThat(REPORT.rows().get(0).summary())
        .isEqualTo(
            "cnn@1 int8 t1 p2 batch16 c8: p50 0.210 ms, p95 0.480 ms, p99 0.910 ms,"
                + " 2605.0 req/s, RSS 141 MiB");
    assertThat(ReplyCode.BUSY.retryable()).isTrue();
  }
}
