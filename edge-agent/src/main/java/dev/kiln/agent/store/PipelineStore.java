package dev.kiln.agent.store;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Pipelines defined at run time, one file each under {@code <stateDir>/pipelines/}. */
public final class PipelineStore {
  private final Path dir;

  public PipelineStore(Path stateDir) {
    this.dir = stateDir.resolve("pipelines");
  }

  /** Durable when it returns. */
  public void save(AgentConfig.PipelineSpec spec) throws IOException {
    AtomicFiles.write(dir.resolve(spec.name() + ".json"), Json.toBytes(spec));
  }

  public List<AgentConfig.PipelineSpec> load() throws IOException {
    List<AgentConfig.PipelineSpec> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(Json.fromBytes(Files.readAllBytes(f), AgentConfig.PipelineSpec.class));
      }
    }
    return out;
  }
}
