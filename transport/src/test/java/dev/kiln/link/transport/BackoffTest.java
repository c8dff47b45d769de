package dev.kiln.link.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delay_doublesUpToMax_withJitterInUpperHalf() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(7));
    long[] caps = {100, 200, 400, 800, 1600, 2000, 2000};
    for (long cap : caps) {
      long d = b.next().toMillis();
      assertThat(d).isBetween(cap / 2, cap);
    }
    b.reset();
    assertThat(b.next().toMillis()).isBetween(50L, 100L);
  }

  @Test
  void jitter_spreadsAFleetApart() {
    Random shared = new Random(42);
    java.util.Set<Long> delays = new java.util.HashSet<>();
    for (int device = 0; device < 20; device++) {
      delays.add(
          new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), shared).next().toMillis());
    }
    assertThat(delays).hasSizeGreaterThan(15);
  }
}
