package dev.kiln.cloud.service.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@link Inbox} contract, run against every implementation, and the worker on top of it. */
class InboxContractTest {
  @TempDir Path tmp;

  private Supplier<Inbox> inbox(String kind) {
    return switch (kind) {
      case "file" -> () -> FileInbox.open(tmp);
      case "memory" -> {
        MemoryInbox one = new MemoryInbox();
        yield () -> one;
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static InboxRequest deploy(String id) {
    return InboxRequest.deploy(id, List.of("/a.kiln"), "all-at-once", "all", null, "admin");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void appended_arePending_inArrivalOrder_untilCompleted(String kind) {
    Inbox inbox = inbox(kind).get();
    inbox.append(deploy("req-b"));
    inbox.append(InboxRequest.about("req-a", InboxRequest.Kind.CANCEL, "dep-b", "admin"));
    assertThat(inbox.pending())
        .extracting(InboxRequest::requestId)
        .containsExactly("req-b", "req-a");
    InboxRequest b = inbox.get("req-b").orElseThrow();
    assertThat(b.deploymentId()).isEqualTo("dep-b");
    inbox.complete(b.done(InboxRequest.State.DONE, null, Instant.now()));
    assertThat(inbox.pending()).extracting(InboxRequest::requestId).containsExactly("req-a");
    assertThat(inbox.get("req-b").orElseThrow().state()).isEqualTo(InboxRequest.State.DONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void aRequestId_isStoredOnce(String kind) {
    Inbox inbox = inbox(kind).get();
    inbox.append(deploy("req-1"));
    assertThatThrownBy(() -> inbox.append(deploy("req-1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(inbox.pending()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void whatWasAppended_survivesReopening_withItsOrder(String kind) {
    Supplier<Inbox> open = inbox(kind);
    Inbox first = open.get();
    first.append(deploy("req-z"));
    first.append(deploy("req-y"));
    first.close();
    Inbox again = open.get();
    again.append(deploy("req-x"));
    assertThat(again.pending())
        .extracting(InboxRequest::requestId)
        .containsExactly("req-z", "req-y", "req-x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void theWorker_replaysPending_runsNewOnes_andRecordsFailures(String kind) {
    Inbox inbox = inbox(kind).get();
    inbox.append(deploy("req-old"));
    List<String> ran = new CopyOnWriteArrayList<>();
    InboxWorker.Executor executor =
        r -> {
          ran.add(r.requestId());
          if (r.kind() == InboxRequest.Kind.ROLLBACK) {
            throw new IllegalStateException("no deployment " + r.deploymentId());
          }
        };
    try (InboxWorker worker = new InboxWorker(inbox, executor, false, () -> {})) {
      worker.start();
      worker.submit(
          inbox.append(InboxRequest.about("req-rb", InboxRequest.Kind.ROLLBACK, "dep-x", "o")));
      Awaitility.await().until(() -> inbox.pending().isEmpty());
    }
    assertThat(ran).containsExactly("req-old", "req-rb");
    assertThat(inbox.get("req-old").orElseThrow().state()).isEqualTo(InboxRequest.State.DONE);
    InboxRequest failed = inbox.get("req-rb").orElseThrow();
    assertThat(failed.state()).isEqualTo(InboxRequest.State.FAILED);
    assertThat(failed.error()).contains("no deployment dep-x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void aPausedWorker_runsNothing_andLeavesRequestsQueued(String kind) throws Exception {
    Inbox inbox = inbox(kind).get();
    List<String> ran = new CopyOnWriteArrayList<>();
    try (InboxWorker worker = new InboxWorker(inbox, r -> ran.add(r.requestId()), true, () -> {})) {
      worker.start();
      worker.submit(inbox.append(deploy("req-p")));
      Thread.sleep(300);
    }
    assertThat(ran).isEmpty();
    assertThat(inbox.pending()).extracting(InboxRequest::requestId).containsExactly("req-p");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void aRescanningWorker_runsRequestsAppendedByAnotherProcess_once(String kind) {
    Inbox inbox = inbox(kind).get();
    List<String> ran = new CopyOnWriteArrayList<>();
    try (InboxWorker worker =
        new InboxWorker(
            inbox, r -> ran.add(r.requestId()), false, () -> {}, Duration.ofMillis(50))) {
      worker.start();
      // Appended, as another replica's API would, without telling this worker.
      inbox.append(deploy("req-elsewhere"));
      // Appended and submitted: the rescan must not run it a second time.
      worker.submit(inbox.append(deploy("req-here")));
      Awaitility.await().until(() -> inbox.pending().isEmpty());
      Awaitility.await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    }
    assertThat(ran).containsExactlyInAnyOrder("req-elsewhere", "req-here");
    assertThat(inbox.get("req-elsewhere").orElseThrow().state()).isEqualTo(InboxRequest.State.DONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "memory"})
  void aRequestNotRun_staysQueued_andTheWorkerStops(String kind) {
    Inbox inbox = inbox(kind).get();
    List<String> ran = new CopyOnWriteArrayList<>();
    InboxWorker.Executor fenced =
        r -> {
          ran.add(r.requestId());
          throw new InboxWorker.NotRun("fenced");
        };
    try (InboxWorker worker = new InboxWorker(inbox, fenced, false, () -> {})) {
      worker.start();
      worker.submit(inbox.append(deploy("req-1")));
      worker.submit(inbox.append(deploy("req-2")));
      Awaitility.await().until(() -> !ran.isEmpty());
      Awaitility.await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    }
    assertThat(ran).containsExactly("req-1");
    assertThat(inbox.pending())
        .extracting(InboxRequest::requestId)
        .containsExactly("req-1", "req-2");
  }

  @org.junit.jupiter.api.Test
  void theFileInbox_keepsOneOwnerOnlyFilePerRequest() throws Exception {
    Inbox inbox = FileInbox.open(tmp);
    inbox.append(deploy("req-f"));
    Path file = tmp.resolve(FileInbox.DIR).resolve("req-f.json");
    assertThat(file).exists();
    assertThat(Files.getPosixFilePermissions(tmp.resolve(FileInbox.DIR)).toString())
        .doesNotContain("OTHERS");
  }
}
