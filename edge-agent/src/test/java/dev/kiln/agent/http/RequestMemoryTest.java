package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import org.junit.jupiter.api.Test;

class RequestMemoryTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void requestsShareTheBudget_andOneOverItIsRefusedRetryably() {
    RequestMemory memory = new RequestMemory(32 * MIB);
    RequestMemory.Reservation first = memory.reservation("application/json");
    first.growTo(3 * MIB);
    RequestMemory.Reservation second = memory.reservation("application/json");
    second.growTo(3 * MIB);
    assertThat(memory.reservedBytes()).isEqualTo(2 * 3 * MIB * RequestMemory.TEXT_COST);

    RequestMemory.Reservation third = memory.reservation("application/json");
    assertThatThrownBy(() -> third.growTo(3 * MIB))
        .isInstanceOf(AgentException.class)
        .satisfies(
            e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.OVERLOADED))
        .hasMessageContaining("KILN_AGENT_HEAP");
    assertThat(AgentErrorCode.OVERLOADED.retryable()).isTrue();
    assertThat(ErrorResponses.status(AgentErrorCode.OVERLOADED)).isEqualTo(503);

    first.release();
    third.growTo(3 * MIB);
    assertThat(memory.reservedBytes()).isEqualTo(2 * 3 * MIB * RequestMemory.TEXT_COST);
  }

  @Test
  void aRequestAlone_isAdmittedEvenOverTheBudget_soTheLargestBodyIsAlwaysServed() {
    RequestMemory memory = new RequestMemory(MIB);
    RequestMemory.Reservation alone = memory.reservation("application/json");
    alone.growTo(6 * MIB);
    alone.growTo(6 * MIB);
    assertThat(memory.reservedBytes()).isEqualTo(6 * MIB * RequestMemory.TEXT_COST);
    assertThatThrownBy(() -> memory.reservation("application/json").growTo(1))
        .isInstanceOf(AgentException.class);
  }

  @Test
  void growingCountsOnlyTheDifference_andReleaseIsOnce() {
    RequestMemory memory = new RequestMemory(64 * MIB);
    RequestMemory.Reservation npy = memory.reservation("application/x-npy");
    npy.growTo(MIB);
    npy.growTo(2 * MIB);
    assertThat(memory.reservedBytes()).isEqualTo(2 * MIB * RequestMemory.BINARY_COST);
    npy.release();
    npy.release();
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void openInferenceBinaryBodies_costTextOnlyForTheirJsonHeader() {
    RequestMemory memory = new RequestMemory(64 * MIB);
    RequestMemory.Reservation binary = memory.reservation("application/octet-stream", "1000");
    binary.growTo(MIB);
    assertThat(memory.reservedBytes())
        .isEqualTo(1000L * RequestMemory.TEXT_COST + (MIB - 1000) * RequestMemory.BINARY_COST);
    binary.release();
    RequestMemory.Reservation lying = memory.reservation("application/octet-stream", "x");
    lying.growTo(MIB);
    assertThat(memory.reservedBytes()).isEqualTo(MIB * RequestMemory.TEXT_COST);
  }
}
