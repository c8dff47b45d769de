package dev.kiln.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstalledModelTest {
  private static final String NOTE = "sample outputs match within 1e-4; its int8 weights ...";

  @Test
  void activating_keepsWhatTheHealthCheckSaid_whileTheVersionServes() {
    InstalledModel healthy =
        InstalledModel.empty("m")
            .withVersion("1", VersionState.INSTALLED, "signed by k")
            .withVersion("1", VersionState.LOADING, null)
            .withVersion("1", VersionState.HEALTHY, NOTE);

    InstalledModel active = healthy.withTraffic(List.of(new InstalledModel.Variant("1", 1)), null);
    InstalledModel rerouted = active.withTraffic(List.of(new InstalledModel.Variant("1", 1)), null);

    assertThat(active.versions().get("1").state()).isEqualTo(VersionState.ACTIVE);
    assertThat(active.versions().get("1").detail()).isEqualTo(NOTE);
    assertThat(rerouted.versions().get("1").detail()).isEqualTo(NOTE);
  }

  @Test
  void aRetiredVersionBroughtBack_doesNotCarryReplaced_asItsDetail() {
    InstalledModel twoServed =
        InstalledModel.empty("m")
            .withVersion("1", VersionState.INSTALLED, null)
            .withVersion("1", VersionState.LOADING, null)
            .withVersion("1", VersionState.HEALTHY, NOTE)
            .withTraffic(List.of(new InstalledModel.Variant("1", 1)), null)
            .withVersion("2", VersionState.INSTALLED, null)
            .withVersion("2", VersionState.LOADING, null)
            .withVersion("2", VersionState.HEALTHY, "ok")
            .withTraffic(List.of(new InstalledModel.Variant("2", 1)), null);

    InstalledModel back = twoServed.withTraffic(List.of(new InstalledModel.Variant("1", 1)), null);

    assertThat(twoServed.versions().get("1").detail()).isEqualTo("replaced");
    assertThat(back.versions().get("1").state()).isEqualTo(VersionState.ACTIVE);
    assertThat(back.versions().get("1").detail()).isNull();
  }
}
