package dev.kiln.cloud.service.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link Inbox} contract, run against every implementation that survives a restart: files and
 * PostgreSQL. {@link #open} reopens the same inbox, as a restarted service would.
 */
abstract class InboxContract {
  abstract Inbox open();

  private static InboxRequest deploy(String id) {
    return InboxRequest.deploy(
        id,
        List.of("/a/mlp-2.kiln"),
        "canary:10:1m",
        "group:lab",
        InboxRequest.Gates.defaults(),
        "ops");
  }

  @Test
  void appended_isPendingInArrivalOrder_acrossARestart_untilCompleted() {
    try (Inbox inbox = open()) {
      InboxRequest a = inbox.append(deploy("req-a"));
      InboxRequest b =
          inbox.append(
              InboxRequest.about("req-b", InboxRequest.Kind.CANCEL, a.deploymentId(), "ops"));
      assertThat(b.seq()).isGreaterThan(a.seq());
    }
    try (Inbox inbox = open()) {
      assertThat(inbox.pending())
          .extracting(InboxRequest::requestId)
          .containsExactly("req-a", "req-b");
      InboxRequest a = inbox.get("req-a").orElseThrow();
      assertThat(a.artifacts()).containsExactly("/a/mlp-2.kiln");
      inbox.complete(a.done(InboxRequest.State.DONE, null, Instant.now()));
    }
    try (Inbox inbox = open()) {
      assertThat(inbox.pending()).extracting(InboxRequest::requestId).containsExactly("req-b");
      assertThat(inbox.get("req-a").orElseThrow().state()).isEqualTo(InboxRequest.State.DONE);
      assertThat(inbox.get("req-none")).isEmpty();
    }
  }

  @Test
  void appendingAnIdTwice_isRefused_andKeepsTheFirst() {
    try (Inbox inbox = open()) {
      inbox.append(deploy("req-a"));
      assertThatThrownBy(() -> inbox.append(deploy("req-a")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(inbox.pending()).hasSize(1);
    }
  }
}
