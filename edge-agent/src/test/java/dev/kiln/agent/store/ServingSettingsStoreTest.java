package dev.kiln.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingSettingsStoreTest {
  @TempDir Path state;

  @Test
  void savedSettings_readBackByModel_untilRemoved() throws Exception {
    ServingSettingsStore store = new ServingSettingsStore(state);
    assertThat(store.load()).isEmpty();

    store.save("cnn", new ServingSettingsStore.Settings(1, 2, 16));
    store.save("mlp", new ServingSettingsStore.Settings(2, 1, 1));
    store.save("cnn", new ServingSettingsStore.Settings(1, 1, 1));

    assertThat(new ServingSettingsStore(state).load())
        .isEqualTo(
            Map.of(
                "cnn", new ServingSettingsStore.Settings(1, 1, 1),
                "mlp", new ServingSettingsStore.Settings(2, 1, 1)));
    store.remove("cnn");
    assertThat(store.load()).containsOnlyKeys("mlp");
  }
}
