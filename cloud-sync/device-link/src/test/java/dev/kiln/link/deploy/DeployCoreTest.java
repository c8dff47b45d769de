package dev.kiln.link.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.command.Replier;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.CommandReply.Status;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.RollbackPayload;
import dev.kiln.link.protocol.Slot;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class DeployCoreTest {
  private static final String SHA = "a".repeat(64);

  /** One reply as sent: status, code and text. */
  record Sent(Status status, ReplyCode code, Integer progress, String message) {}

  private final List<Sent> replies = new ArrayList<>();
  private final Map<String, String> slots = new HashMap<>();
  private final List<String> fetched = new ArrayList<>();
  private DeployFailure installFailure;
  private DeployFailure rollbackFailure;
  private Exception downloadFailure;
  private int activations;

  private final Replier reply =
      new Replier() {
        @Override
        public CompletableFuture<Void> accept() {
          return add(Status.ACCEPTED, null, null, null);
        }

        @Override
        public CompletableFuture<Void> progress(int percent, String message) {
          return add(Status.IN_PROGRESS, null, percent, message);
        }

        @Override
        public CompletableFuture<Void> succeeded(String message) {
          return add(Status.SUCCEEDED, null, 100, message);
        }

        @Override
        public CompletableFuture<Void> failed(ReplyCode code, String message) {
          return add(Status.FAILED, code, null, message);
        }

        @Override
        public CompletableFuture<Void> rejected(ReplyCode code, String message) {
          return add(Status.REJECTED, code, null, message);
        }
      };

  /** Slots in a map, as the simulator keeps them. */
  private final DeployTarget target =
      new DeployTarget() {
        @Override
        public String versionIn(String model, Slot slot) {
          return slots.get(Slot.key(model, slot));
        }

        @Override
        public boolean serving(String model, String version) {
          return slots.containsValue(version);
        }

        @Override
        public void install(DeployPayload p, Slot slot, Path artifact) throws DeployFailure {
          if (installFailure != null) {
            throw installFailure;
          }
          move(p, slot);
        }

        @Override
        public void move(DeployPayload p, Slot slot) {
          slots.put(Slot.key(p.model(), slot), p.version());
        }

        @Override
        public void rollBack(String model, String toVersion) throws DeployFailure {
          if (rollbackFailure != null) {
            throw rollbackFailure;
          }
          slots.keySet().removeIf(k -> k.startsWith(model + "#"));
          slots.put(model, toVersion);
        }

        @Override
        public void remove(String model) {
          slots.remove(model);
        }
      };

  private final ArtifactSource source =
      new ArtifactSource() {
        @Override
        public String refusal(DeployPayload.Artifact a) {
          return a.size() > 1_000 ? "too large" : null;
        }

        @Override
        public void fetch(
            DeployPayload.Artifact a,
            IntConsumer percent,
            Consumer<Path> done,
            Consumer<Exception> failed) {
          fetched.add(a.sha256());
          if (downloadFailure != null) {
            failed.accept(downloadFailure);
            return;
          }
          for (int p = 0; p <= 100; p += 5) {
            percent.accept(p);
          }
          done.accept(Path.of(a.sha256() + ".kiln"));
        }

        @Override
        public void discard(String sha256) {}
      };

  private final DeployCore core =
      new DeployCore(
          DeviceProfiles.fromClasspath().get("linux-x86_64"),
          target,
          source,
          25,
          new DeployCore.Events() {
            @Override
            public void activated() {
              activations++;
            }
          });

  private CompletableFuture<Void> add(Status s, ReplyCode c, Integer progress, String m) {
    replies.add(new Sent(s, c, progress, m));
    return CompletableFuture.completedFuture(null);
  }

  private static DeployPayload deploy(String variant, long size, DeployPayload.Target target) {
    return new DeployPayload(
        "dep", "mlp", "2", variant, new DeployPayload.Artifact(SHA, size, null, 100), target, null);
  }

  private List<Status> statuses() {
    return replies.stream().map(Sent::status).toList();
  }

  private Sent last() {
    return replies.get(replies.size() - 1);
  }

  @Test
  void deploy_downloadsAndPlaces_reportingProgressEveryStep() {
    core.deploy(deploy(null, 500, null), reply);
    assertThat(statuses())
        .containsExactly(
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.SUCCEEDED);
    assertThat(replies).extracting(Sent::progress).containsSubsequence(25, 50, 75, 100);
    assertThat(slots).containsEntry("mlp", "2");
    assertThat(activations).isEqualTo(1);
  }

  @Test
  void deploy_refusesWhatIsNotForThisDevice_beforeAnyDownload() {
    core.deploy(deploy(null, 500, new DeployPayload.Target("arm64", "rpi5", List.of())), reply);
    assertThat(last().status()).isEqualTo(Status.REJECTED);
    assertThat(last().code()).isEqualTo(ReplyCode.INCOMPATIBLE_ARTIFACT);
    assertThat(last().message()).contains("arm64");
    assertThat(fetched).isEmpty();
  }

  @Test
  void deploy_refusesAnUnknownSlot_andAnArtifactItCannotTake() {
    core.deploy(deploy("purple", 500, null), reply);
    assertThat(last().code()).isEqualTo(ReplyCode.INVALID_COMMAND);
    assertThat(last().message()).contains("[primary, b, c, d, e, f, g, h, green, shadow]");
    core.deploy(deploy("green", 5_000, null), reply);
    assertThat(last().code()).isEqualTo(ReplyCode.TRANSFER_REFUSED);
    assertThat(statuses()).containsOnly(Status.REJECTED);
    assertThat(fetched).isEmpty();
  }

  @Test
  void deploy_ofWhatTheSlotHolds_succeedsAtOnce_andOfAServingVersion_needsNoDownload() {
    slots.put("mlp", "2");
    core.deploy(deploy(null, 500, null), reply);
    assertThat(statuses()).containsExactly(Status.SUCCEEDED);
    assertThat(last().message()).startsWith("already active");

    core.deploy(deploy("shadow", 500, null), reply);
    assertThat(slots).containsEntry("mlp#shadow", "2");
    assertThat(fetched).isEmpty();
  }

  @Test
  void failures_carryTheirCodes_andLeaveTheSlotAlone() {
    downloadFailure = new LinkException(LinkErrorCode.TRANSFER_FAILED, "stalled");
    core.deploy(deploy(null, 500, null), reply);
    assertThat(last().status()).isEqualTo(Status.FAILED);
    assertThat(last().code()).isEqualTo(ReplyCode.DOWNLOAD_FAILED);

    downloadFailure = null;
    installFailure = DeployFailure.failed(ReplyCode.HEALTH_CHECK_FAILED, "unhealthy");
    core.deploy(deploy(null, 500, null), reply);
    assertThat(last())
        .isEqualTo(new Sent(Status.FAILED, ReplyCode.HEALTH_CHECK_FAILED, null, "unhealthy"));

    installFailure = DeployFailure.refused(ReplyCode.ARTIFACT_REJECTED, "bad signature");
    core.deploy(deploy(null, 500, null), reply);
    assertThat(last().status()).isEqualTo(Status.REJECTED);
    assertThat(last().code()).isEqualTo(ReplyCode.ARTIFACT_REJECTED);
    assertThat(slots).doesNotContainKey("mlp");
    assertThat(activations).isZero();
  }

  @Test
  void rollback_goesBackToThePrimary_orFailsWithItsCode() {
    slots.put("mlp", "1");
    slots.put("mlp#b", "2");
    core.rollback(new RollbackPayload("dep", "mlp", null, false), reply);
    assertThat(last().message()).isEqualTo("back on mlp@1");
    assertThat(slots).containsOnly(Map.entry("mlp", "1"));

    rollbackFailure = DeployFailure.failed(ReplyCode.ROLLBACK_FAILED, "engine gone");
    core.rollback(new RollbackPayload("dep", "mlp", "1", false), reply);
    assertThat(last())
        .isEqualTo(new Sent(Status.FAILED, ReplyCode.ROLLBACK_FAILED, null, "engine gone"));

    core.rollback(new RollbackPayload("dep", "mlp", null, true), reply);
    assertThat(last().message()).isEqualTo("mlp removed from service");
    assertThat(slots).isEmpty();
  }
}
