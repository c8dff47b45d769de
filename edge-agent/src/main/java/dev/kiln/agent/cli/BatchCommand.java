package dev.kiln.agent.cli;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.batch.BatchTransform;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.store.ArtifactStore;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.error.ExitCode;
import dev.kiln.profile.Arch;
import dev.kiln.profile.DeviceProfiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln-agent batch --model M --input in.jsonl|dir --output out.jsonl}: offline batch
 * transform, resumable after interruption. {@code M} is a {@code .kiln} file or artifact folder,
 * or, with {@code --config}, the name of a model active in the agent's store.
 */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = "Run a model over .jsonl files.")
public final class BatchCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      description = "A .kiln file, artifact folder, or model name (with --config).")
  String model;

  @Option(
      names = "--input",
      required = true,
      description = "A .jsonl file or a folder of .jsonl files.")
  Path input;

  @Option(
      names = "--output",
      required = true,
      description = "Output .jsonl; OUTPUT.progress tracks resumption.")
  Path output;

  @Option(
      names = "--config",
      description = "Agent config: its store, keys and thread settings are used.")
  Path config;

  @Option(
      names = "--trusted-keys",
      description = "Folder of trusted *.pub keys (without --config).")
  Path trustedKeys;

  @Option(names = "--allow-unsigned", description = "Accept unsigned artifacts (without --config).")
  boolean allowUnsigned;

  @Option(
      names = "--checkpoint-lines",
      defaultValue = "64",
      description = "Lines between checkpoints (default ${DEFAULT-VALUE}).")
  int checkpointLines;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    AgentConfig cfg = config == null ? null : ConfigLoader.load(config);
    Path scratch = Files.createTempDirectory("kiln-batch");
    try {
      Artifact artifact = resolve(cfg, scratch);
      int threads = cfg == null ? 0 : cfg.threads().inference();
      EngineRunnerFactory factory = new EngineRunnerFactory(threads);
      RunnerSpec runnerSpec =
          RunnerSpec.fromManifest(artifact.manifest(), artifact.payloadPath(), threads, 1);
      try (ModelRunner runner = factory.load(runnerSpec)) {
        BatchTransform.Summary s =
            new BatchTransform(
                    artifact.manifest().model().name(),
                    runner,
                    artifact.manifest().signature(),
                    checkpointLines)
                .run(BatchTransform.inputs(input), output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
            "%d lines done, %d errors%s -> %s%n",
            s.linesDone(), s.errors(), s.resumed() ? " (resumed)" : "", output);
        return (s.errors() == 0 ? ExitCode.OK : ExitCode.NOT_SUCCEEDED).number();
      }
    } finally {
      ArtifactWriter.deleteTree(scratch);
    }
  }

  private Artifact resolve(AgentConfig cfg, Path scratch) throws Exception {
    Path path = Path.of(model);
    if (Files.exists(path)) {
      Artifact artifact = Artifact.openAny(path, scratch.resolve("artifact"));
      var keys = TrustedKeys.load(cfg != null ? cfg.security().trustedKeysDir() : trustedKeys);
      boolean require = cfg != null ? cfg.security().requireSignature() : !allowUnsigned;
      try {
        artifact.verify(keys, require);
      } catch (ArtifactException e) {
        throw new AgentException(
            AgentErrorCode.ARTIFACT_REJECTED,
            path + " rejected (" + e.code() + "): " + e.getMessage(),
            e);
      }
      return artifact;
    }
    if (cfg == null) {
      throw new AgentException(
          AgentErrorCode.MODEL_NOT_FOUND,
          model
              + " is not a file or folder; pass a .kiln path, or --config to use the agent's store");
    }
    ArtifactStore store =
        new ArtifactStore(
            cfg.stateDir(),
            TrustedKeys.load(cfg.security().trustedKeysDir()),
            cfg.security().requireSignature(),
            DeviceProfiles.fromClasspath()
                .find(cfg.profile())
                .orElseGet(() -> DeviceProfiles.fromClasspath().forArch(Arch.host())));
    InstalledModel state = store.state(model);
    if (state.production().isEmpty()) {
      throw new AgentException(
          AgentErrorCode.MODEL_NOT_FOUND,
          "model '" + model + "' has no active version in " + cfg.stateDir());
    }
    return store.open(model, state.production().get(0).version()).artifact();
  }
}
