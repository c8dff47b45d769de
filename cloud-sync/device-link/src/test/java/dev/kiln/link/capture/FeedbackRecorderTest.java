package dev.kiln.link.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.outbox.OutboxWriter;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackRecorderTest {
  @TempDir Path dir;

  @Test
  void record_isOnDiskWhenItReturns_besideCaptures_withIdsFromContent() {
    try (Outbox o = Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(0));
        OutboxWriter<Object> w = new OutboxWriter<>("t", o, 1000, ProtocolJson::write)) {
      CaptureRecorder captures = new CaptureRecorder("dev-1", w);
      FeedbackRecorder feedback = new FeedbackRecorder("dev-1", w);
      captures.enqueue(
          CaptureConfig.all().withDurability(CaptureDurability.SYNC),
          CaptureRecord.of("m", "1", "main", 1.0, List.of(), List.of(), false)
              .withRequestId("r-1"));
      List<FeedbackRecord> sent =
          List.of(
              FeedbackRecord.of("r-1", "2", null, null),
              FeedbackRecord.of("r-2", null, 1.5, null),
              FeedbackRecord.of("r-3", null, null, 1.0));
      assertThat(feedback.record(sent)).isEqualTo(3);
      // Sent again (the client got no answer): the same ids, so the cloud keeps one of each.
      assertThat(feedback.record(sent)).isEqualTo(3);
      assertThat(feedback.stored()).isEqualTo(6);
      assertThat(o.durableSeq()).as("fsynced before record returned").isEqualTo(7);

      List<FeedbackRecord> lines = new ArrayList<>();
      int captureLines = 0;
      for (Outbox.Entry e : o.read(1, 100, Long.MAX_VALUE)) {
        if (FeedbackRecord.isFeedbackLine(e.payload())) {
          lines.add(ProtocolJson.read(e.payload(), FeedbackRecord.class));
        } else {
          captureLines++;
          assertThat(ProtocolJson.read(e.payload(), CaptureRecord.class).requestId())
              .isEqualTo("r-1");
        }
      }
      assertThat(captureLines).isEqualTo(1);
      assertThat(lines).hasSize(6);
      assertThat(lines).allSatisfy(f -> assertThat(f.deviceId()).isEqualTo("dev-1"));
      assertThat(lines.subList(0, 3))
          .extracting(FeedbackRecord::id)
          .doesNotHaveDuplicates()
          .containsExactlyElementsOf(lines.subList(3, 6).stream().map(FeedbackRecord::id).toList());
      assertThat(lines.get(0).label()).isEqualTo("2");
      assertThat(lines.get(1).value()).isEqualTo(1.5);
      assertThat(lines.get(2).reward()).isEqualTo(1.0);
      assertThat(FeedbackRecord.of("r-1", "3", null, null).fromDevice("dev-1").id())
          .as("another label for the same request is another record")
          .isNotEqualTo(lines.get(0).id());
    }
  }
}
