package dev.kiln.cloud.it;

import dev.kiln.link.DeviceLink;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.telemetry.AgentTelemetry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A stand-in device process for the kill -9 test: {@code DeviceMain URL DIR DEVICE FROM MID TO}.
 * Captures records FROM..MID, prints {@code DURABLE n} once they are on disk, waits for a line on
 * stdin, captures MID..TO, prints {@code DURABLE n} again, then prints {@code DRAINED} once the
 * outbox is empty and keeps running until killed.
 */
public final class DeviceMain {
  private DeviceMain() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path dir = Path.of(args[1]);
    String device = args[2];
    int from = Integer.parseInt(args[3]);
    int mid = Integer.parseInt(args[4]);
    int to = Integer.parseInt(args[5]);
    DeviceLink link =
        DeviceLink.start(Fixtures.link(device, url, dir), () -> AgentTelemetry.empty("test"));
    capture(link, from, mid);
    awaitWritten(link, mid - from);
    System.out.println("DURABLE " + (mid - from));
    System.out.flush();
    if (to > mid) {
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      capture(link, mid, to);
      awaitWritten(link, to - from);
      System.out.println("DURABLE " + (to - from));
      System.out.flush();
    }
    while (link.captureOutboxStats().pendingRecords() > 0) {
      Thread.sleep(20);
    }
    System.out.println("DRAINED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void capture(DeviceLink link, int from, int to) {
    for (int i = from; i < to; i++) {
      int n = i;
      if (!link.recorder().capture(CaptureConfig.all(), () -> Fixtures.record(n))) {
        throw new IllegalStateException("capture queue refused record " + i);
      }
    }
  }

  private static void awaitWritten(DeviceLink link, long n) throws InterruptedException {
    while (link.captureWritten() < n) {
      Thread.sleep(5);
    }
  }
}
