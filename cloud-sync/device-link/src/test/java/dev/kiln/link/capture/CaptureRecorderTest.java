package dev.kiln.link.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.outbox.OutboxWriter;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureRecorderTest {
  @TempDir Path dir;

  private static CaptureRecord record(int floats) {
    return CaptureRecord.of(
        "resnet",
        "3",
        "int8",
        4.5,
        List.of(CaptureTensor.ofFloats("x", new long[] {1, floats}, new float[floats])),
        List.of(CaptureTensor.ofFloats("y", new long[] {1, 2}, new float[] {0.1f, 0.9f})),
        false);
  }

  private Outbox outbox() {
    return Outbox.open(OutboxConfig.defaults(dir).withMinFreeDiskBytes(0));
  }

  @Test
  void samplePercent_zeroCapturesNothing_hundredCapturesAll() {
    try (Outbox o = outbox();
        OutboxWriter<CaptureRecord> w = new OutboxWriter<>("t", o, 1000, ProtocolJson::write)) {
      CaptureRecorder r = new CaptureRecorder("dev-1", w);
      for (int i = 0; i < 50; i++) {
        r.capture(CaptureConfig.off(), () -> record(4));
        r.capture(CaptureConfig.all(), () -> record(4));
      }
      await().until(() -> o.stats().lastSeq() == 50);
      assertThat(r.sampled()).isEqualTo(50);
    }
  }

  @Test
  void partialSampling_capturesSome_butNotAll() {
    try (Outbox o = outbox();
        OutboxWriter<CaptureRecord> w = new OutboxWriter<>("t", o, 10_000, ProtocolJson::write)) {
      CaptureRecorder r = new CaptureRecorder("dev-1", w);
      CaptureConfig tenPercent = new CaptureConfig(10, CaptureMode.BOTH, 1 << 16);
      int hits = 0;
      for (int i = 0; i < 5000; i++) {
        hits += r.shouldSample(tenPercent) ? 1 : 0;
      }
      // Binomial(5000, 0.1): mean 500, sd ~21; these bounds fail about never by chance.
      assertThat(hits).isBetween(350, 650);
    }
  }

  @Test
  void modeAndPayloadCap_shapeTheStoredRecord() {
    CaptureRecord big = record(1000);
    CaptureRecord outputsOnly =
        new CaptureConfig(100, CaptureMode.OUTPUTS, 1 << 16).shape(big, "dev-1");
    assertThat(outputsOnly.inputs()).isEmpty();
    assertThat(outputsOnly.outputs()).hasSize(1);
    assertThat(outputsOnly.deviceId()).isEqualTo("dev-1");
    assertThat(outputsOnly.truncated()).isFalse();

    CaptureRecord capped = new CaptureConfig(100, CaptureMode.BOTH, 100).shape(big, "dev-1");
    assertThat(capped.truncated()).isTrue();
    assertThat(capped.inputs().get(0).data()).isNull();
    assertThat(capped.inputs().get(0).shape()).containsExactly(1, 1000);
  }

  @Test
  void fullQueue_dropsAndCounts_withoutBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch encoding = new CountDownLatch(1);
    try (Outbox o = outbox();
        OutboxWriter<CaptureRecord> w =
            new OutboxWriter<>(
                "t",
                o,
                2,
                rec -> {
                  encoding.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return ProtocolJson.write(rec);
                })) {
      CaptureRecorder r = new CaptureRecorder("dev-1", w);
      // The writer drains whatever is queued at once, so let it take exactly one record and block
      // on it before filling the queue; otherwise how many it holds depends on thread timing.
      assertThat(r.capture(CaptureConfig.all(), () -> record(4))).isTrue();
      assertThat(encoding.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      int queued = 1;
      for (int i = 0; i < 9; i++) {
        queued += r.capture(CaptureConfig.all(), () -> record(4)) ? 1 : 0;
      }
      // One record is held by the blocked writer, two fit the queue; the other seven are dropped.
      assertThat(queued).isEqualTo(3);
      assertThat(r.queueDropped()).isEqualTo(7);
      release.countDown();
      long expected = queued;
      await().until(() -> o.stats().lastSeq() == expected);
    }
  }

  @Test
  void tensor_roundTripsThroughJson_asLittleEndianBase64() {
    CaptureRecord rec = CaptureConfig.all().shape(record(3), "dev-1");
    CaptureRecord back = ProtocolJson.read(ProtocolJson.write(rec), CaptureRecord.class);
    assertThat(back).isEqualTo(rec);
    assertThat(back.outputs().get(0).toDoubles()).containsExactly(0.1f, 0.9f);
    String json = new String(ProtocolJson.write(rec.outputs().get(0)));
    // 0.1f little-endian is CD CC CC 3D -> base64 "zczMPQ" prefix.
    assertThat(json).contains("\"data\":\"zczMPWZmZj8=\"");
  }
}
