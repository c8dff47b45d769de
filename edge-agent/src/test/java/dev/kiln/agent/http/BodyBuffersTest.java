package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyBuffersTest {
  private static final int LARGE = 1_643_102; // a 1x3x224x224 JSON body

  @Test
  void aLargeBuffer_isKeptAndHandedToTheNextBodyThatFits() {
    BodyBuffers buffers = new BodyBuffers(8 << 20, 4);
    byte[] first = buffers.take(LARGE);
    assertThat(first.length).isGreaterThanOrEqualTo(LARGE).isEqualTo(BodyBuffers.withRoom(LARGE));
    buffers.give(first);
    assertThat(buffers.idleBuffers()).isEqualTo(1);
    // The next image's body is a few percent longer or shorter: the same buffer.
    assertThat(buffers.take(LARGE + LARGE / 20)).isSameAs(first);
    assertThat(buffers.idleBuffers()).isZero();
    buffers.give(first);
    assertThat(buffers.take(LARGE - LARGE / 20)).isSameAs(first);
  }

  @Test
  void smallBodies_areNeverKept() {
    BodyBuffers buffers = new BodyBuffers(8 << 20, 4);
    byte[] small = buffers.take(BodyBuffers.MIN_POOLED - 1);
    assertThat(small).hasSize(BodyBuffers.MIN_POOLED - 1);
    buffers.give(small);
    assertThat(buffers.idleBuffers()).isZero();
  }

  @Test
  void aBufferMoreThanTwiceTheBody_isLeftForALargerOne() {
    BodyBuffers buffers = new BodyBuffers(8 << 20, 4);
    byte[] large = buffers.take(LARGE);
    buffers.give(large);
    byte[] small = buffers.take(LARGE / 3);
    assertThat(small).isNotSameAs(large);
    assertThat(buffers.idleBuffers()).isEqualTo(1);
    // Of two that fit, the smaller is taken.
    buffers.give(small);
    assertThat(buffers.take(LARGE / 3)).isSameAs(small);
  }

  @Test
  void whatIsKeptWhileIdle_isBoundedInBytesAndCount() {
    BodyBuffers buffers = new BodyBuffers(4 << 20, 2);
    byte[] a = buffers.take(LARGE);
    byte[] b = buffers.take(LARGE);
    byte[] c = buffers.take(LARGE);
    buffers.give(a);
    buffers.give(b);
    buffers.give(c);
    assertThat(buffers.idleBuffers()).isEqualTo(2);
    assertThat(buffers.idleBytes()).isLessThanOrEqualTo(4 << 20);

    BodyBuffers tight = new BodyBuffers(2 << 20, 8);
    tight.give(tight.take(LARGE));
    tight.give(tight.take(LARGE)); // the same buffer again
    tight.give(new byte[LARGE]);
    assertThat(tight.idleBuffers()).isEqualTo(1);
    assertThat(tight.idleBytes()).isLessThanOrEqualTo(2 << 20);
  }

  @Test
  void aBufferGivenTwice_isKeptOnce() {
    BodyBuffers buffers = new BodyBuffers(8 << 20, 4);
    byte[] a = buffers.take(LARGE);
    buffers.give(a);
    buffers.give(a);
    assertThat(buffers.idleBuffers()).isEqualTo(1);
    assertThat(buffers.take(LARGE)).isSameAs(a);
    assertThat(buffers.take(LARGE)).isNotSameAs(a);
  }
}
